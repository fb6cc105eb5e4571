// Poll the progress of an evidence ZIP export and reveal its download link when ready, or its
// "Reintentar" button when its job failed.
// Without JavaScript the page's "Actualizar" link does the same by hand.
(() => {
  const box = document.querySelector("[data-export-status-url]");
  if (!box || box.dataset.exportFinished === "true") {
    return;
  }
  const url = box.dataset.exportStatusUrl;
  const progress = box.querySelector("progress");
  const link = box.querySelector("[data-export-download]");
  const refresh = box.querySelector("[data-export-refresh]");
  const retry = box.querySelector("[data-export-retry]");

  const update = (data) => {
    if (progress) {
      progress.value = data.percent;
      progress.textContent = `${data.percent} %`;
    }
    for (const name of ["status_label", "done", "total"]) {
      const element = box.querySelector(`[data-export-field="${name}"]`);
      if (element) {
        element.textContent = data[name];
      }
    }
    if (data.download_url && link) {
      link.href = data.download_url;
      link.hidden = false;
    }
    const tag = box.querySelector("[data-export-status]");
    if (tag) {
      tag.dataset.exportStatus = data.status;
      tag.classList.toggle("tag-ok", data.status === "terminado");
      tag.classList.toggle("tag-danger", data.status === "fallido");
    }
    if (retry) {
      retry.hidden = !data.may_retry;
    }
    if (data.finished && refresh) {
      refresh.hidden = true;
    }
    return data.finished;
  };

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok && update(await response.json())) {
        return;
      }
    } catch (error) {
      // A network hiccup: keep polling.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 1000);
})();
