// The course's own behaviour in the JupyterLite lab page (added by tools/build_site.py as course.js).
//
// Three things a class needs on a second visit, which JupyterLite 0.6 does not do by itself:
//
// 1. Saved notebooks keep their figures. An explorer's output holds its widget view *and* its
//    figure (a PNG). Saved as it is, the widget view wins after a reload and shows "Loading
//    widget..." with no figure: its model lived in the kernel that is gone. So the copy that is
//    stored leaves out a widget view wherever the output also has a figure or text; the notebook
//    on screen keeps its live widgets. Running the cell again brings the sliders back.
// 2. Course updates reach a student who saved a notebook. The build writes each notebook's version
//    into its metadata (``metadata.deconvlib.course_version``) and all of them into
//    ``course-version.json``. A notebook whose version is not the course's gets a notification with
//    "Reset to the course's version": the student's copy is kept beside it (renamed), the course's
//    opens in its place; their other notebooks are not touched.
// 3. A reload opens the notebook the student had open (JupyterLite shows a Launcher instead).
// 4. Memory: each notebook's Python (a Pyodide kernel in a Web Worker) holds about 350 MB, and a
//    student who follows the "Next" links opens a tab per notebook, each with its outputs. Closing a
//    notebook ends its kernel (the ``kernelShutdown`` setting), and beyond the MAX_OPEN notebooks used
//    last a notebook is saved and closed, with a message: reopened, it shows its saved figures.
(function () {
  "use strict";
  const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
  const SITE = new URL("..", document.baseURI || location.href);
  const LAST_KEY = "deconvlib:last-notebook:" + SITE.pathname;
  const RESET = "deconvlib:reset-notebook";
  const askedForPath = new URLSearchParams(location.search).has("path");
  const MAX_OPEN = 2;

  // An output's data without its widget view, when something else in it can be shown instead.
  function storable(content) {
    if (!content || !Array.isArray(content.cells)) return content;
    const cells = content.cells.map((cell) => {
      if (!Array.isArray(cell.outputs)) return cell;
      const outputs = cell.outputs.map((output) => {
        const data = output.data;
        if (!data || !(WIDGET_VIEW in data)) return output;
        const rest = Object.keys(data).filter((key) => key !== WIDGET_VIEW && key !== "text/plain");
        if (rest.length === 0) return output; // a plain widget: nothing better to store
        const kept = { ...data };
        delete kept[WIDGET_VIEW];
        return { ...output, data: kept };
      });
      return { ...cell, outputs };
    });
    return { ...content, cells };
  }

  function notebookPanels(app, path) {
    return Array.from(app.shell.widgets("main")).filter(
      (widget) => widget.context && widget.context.path === path,
    );
  }

  // Save a notebook (the student's latest edits, with its figures: see storable), then close it as the
  // tab's × does: its kernel ends with it (kernelShutdown).
  async function saveAndClose(panel) {
    await panel.context.save();
    const closed = new Promise((resolve) => panel.disposed.connect(resolve));
    panel.close();
    await closed;
  }

  async function courseVersions() {
    try {
      const response = await fetch(new URL("course-version.json", SITE), { cache: "no-cache" });
      return response.ok ? await response.json() : {};
    } catch (error) {
      return {}; // offline from a cached page: nothing to compare with
    }
  }

  async function resetNotebook(app, path) {
    const contents = app.serviceManager.contents;
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
    const copy = path.replace(/\.ipynb$/, "") + "-my-copy-" + stamp + ".ipynb";
    for (const panel of notebookPanels(app, path)) await saveAndClose(panel); // their edits go into their copy
    await contents.rename(path, copy); // the stored copy moves; the course's file shows at `path` again
    await app.commands.execute("docmanager:open", { path });
    await app.commands.execute("apputils:notify", {
      message: `${path} is the course's version again. Your copy is kept as ${copy}.`,
      type: "success",
      options: { autoClose: 8000 },
    });
    document.documentElement.dataset.deconvlibReset = path;
  }

  async function checkVersion(app, panel, versions) {
    await panel.context.ready;
    const path = panel.context.path;
    const current = versions[path];
    const mine = (panel.context.model.getMetadata("deconvlib") || {}).course_version;
    if (!current || mine === current) return;
    document.documentElement.dataset.deconvlibOutdated = path;
    await app.commands.execute("apputils:notify", {
      message:
        `The course has a newer version of ${path} than the copy saved in this browser. ` +
        "Reset it to the course's version? Your copy is kept beside it.",
      type: "warning",
      options: {
        autoClose: false,
        actions: [{ label: "Reset to the course's version", commandId: RESET, args: { path } }],
      },
    });
  }

  // The notebooks used last, most recent first.
  const recent = [];

  async function keepRecentOpen(app, panel) {
    if (!recent.includes(panel)) {
      panel.disposed.connect(() => {
        if (recent.includes(panel)) recent.splice(recent.indexOf(panel), 1);
      });
    }
    recent.splice(0, recent.length, panel, ...recent.filter((other) => other !== panel));
    for (const other of recent.slice(MAX_OPEN)) {
      const path = other.context.path;
      await saveAndClose(other);
      const marks = document.documentElement.dataset;
      marks.deconvlibClosed = (marks.deconvlibClosed ? marks.deconvlibClosed + "|" : "") + path;
      await app.commands.execute("apputils:notify", {
        message:
          `${path} is saved and closed, to keep this browser's memory for the notebooks you are ` +
          "using. Reopen it from the file browser: your work and its figures are there.",
        type: "info",
        options: { autoClose: 10000 },
      });
    }
  }

  async function start(app) {
    const contents = app.serviceManager.contents;
    const save = contents.save.bind(contents);
    contents.save = (path, options) => {
      if (options && options.type === "notebook" && options.content) {
        options = { ...options, content: storable(options.content) };
      }
      return save(path, options);
    };
    app.commands.addCommand(RESET, {
      label: "Reset this notebook to the course's version (keeps your copy)",
      execute: (args) => resetNotebook(app, args.path),
    });
    await app.restored;
    const versions = await courseVersions();
    const seen = new WeakSet();
    const follow = () => {
      const widget = app.shell.currentWidget;
      if (!widget || !widget.context || !widget.context.path.endsWith(".ipynb")) return;
      localStorage.setItem(LAST_KEY, widget.context.path);
      if (!seen.has(widget)) {
        seen.add(widget);
        checkVersion(app, widget, versions).catch((error) => console.warn("deconvlib:", error));
      }
      widget.context.ready
        .then(() => widget.sessionContext.ready)
        .then(() => keepRecentOpen(app, widget))
        .catch((error) => console.warn("deconvlib:", error));
    };
    app.shell.currentChanged.connect(follow);
    follow();
    const last = localStorage.getItem(LAST_KEY);
    const showing = app.shell.currentWidget && app.shell.currentWidget.context;
    if (!askedForPath && !showing && last) {
      try {
        await contents.get(last, { content: false });
        await app.commands.execute("docmanager:open", { path: last });
      } catch (error) {
        localStorage.removeItem(LAST_KEY); // renamed or deleted since
      }
    }
    document.documentElement.dataset.deconvlibCourse = "ready";
  }

  const wait = setInterval(() => {
    if (window.jupyterapp) {
      clearInterval(wait);
      start(window.jupyterapp).catch((error) => console.error("deconvlib course script:", error));
    }
  }, 50);
})();
