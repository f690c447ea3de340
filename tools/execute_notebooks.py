"""Execute the course notebooks in place, then strip what changes from run to run.

    .venv/bin/python tools/execute_notebooks.py                 # every notebook
    .venv/bin/python tools/execute_notebooks.py notebooks/03_padding.ipynb

Run it (``make notebooks``) after changing the library or a notebook: nbval
compares the outputs of the cells tagged ``nbval-check-output`` with the ones
stored here. The stored notebooks keep no execution timestamps, no Python
patch version and one kernel name, so a re-run changes only what the code
prints; ``tests/test_notebooks_clean.py`` checks it.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(nb):
    """Drop run-specific metadata: cell execution times, the interpreter's version, the kernel's display name.

    Also the widgets: a stored widget view names a model of the kernel that
    ran this script, which a freshly opened notebook does not have, so
    JupyterLab showed "Error displaying widget: model not found" (or the
    widget's text) until the cell ran again. An explorer's output keeps its
    figure (``image/png``) and a sentence; running the cell brings the sliders.
    """
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", ()):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if "outputs" in cell:
            cell.outputs = merge_streams(cell.outputs)
    return nb


def merge_streams(outputs):
    """Consecutive outputs of one stream as one: where the kernel split a print in two depends on timing.

    >>> merge_streams([{"output_type": "stream", "name": "stdout", "text": "a\\n"},
    ...                {"output_type": "stream", "name": "stdout", "text": "b\\n"}])
    [{'output_type': 'stream', 'name': 'stdout', 'text': 'a\\nb\\n'}]
    """
    merged = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == "stream"
            and last.get("output_type") == "stream"
            and last.get("name") == output.get("name")
        ):
            last["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def execute(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(clean(nb), path)


def main(argv):
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
