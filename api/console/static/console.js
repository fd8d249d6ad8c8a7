// The console's only script (hand-written, no library): the playhead slider shows the version
// it points at and replays when released. Every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[type=range][data-autosubmit]")) {
    const out = document.getElementById(input.dataset.output || "");
    input.addEventListener("input", () => { if (out) out.textContent = input.value; });
    input.addEventListener("change", () => input.form.submit());
  }
});
