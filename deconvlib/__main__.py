"""``python -m deconvlib``: see :mod:`deconvlib.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
