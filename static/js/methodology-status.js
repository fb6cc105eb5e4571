// Poll the progress of a prioritisation's methodology document and show each step in place:
// queued, running, then done (with its link) or failed (with its retry button).
// Without JavaScript the fragment's "Actualizar" link reloads the page by hand.
(() => {
  const box = document.querySelector("[data-methodology-status-url]");
  if (!box || box.dataset.methodologyFinished === "true") {
    return;
  }
  const url = box.dataset.methodologyStatusUrl;
  const body = box.querySelector("[data-methodology-body]");
  let shown = body ? body.querySelector("[data-methodology-status]")?.dataset.methodologyStatus : "";
  let delay = 1000;

  const update = (data) => {
    // Replace the fragment only when the status changes, so the live region speaks once.
    if (body && data.html && data.status !== shown) {
      body.innerHTML = data.html;
      shown = data.status;
    }
    box.dataset.methodologyFinished = data.finished ? "true" : "false";
    return data.finished;
  };

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.redirected || response.status === 404) {
        return; // signed out, or no longer ours to see: stop asking
      }
      if (response.ok && update(await response.json())) {
        return;
      }
    } catch (error) {
      // A network hiccup: keep polling.
    }
    // Renders take seconds; a long queue should not be asked every second.
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
})();
