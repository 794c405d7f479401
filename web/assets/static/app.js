// iamwhy's local UI: small progressive touches. Every page works without it.
"use strict";
document.addEventListener("click", (ev) => {
  const t = ev.target;
  if (!(t instanceof HTMLElement)) return;
  if (t.matches("button.copy")) {
    const text = t.getAttribute("data-copy") || "";
    const done = () => { const was = t.textContent; t.textContent = "copied"; setTimeout(() => { t.textContent = was; }, 1500); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    } else {
      fallbackCopy(text, done);
    }
  }
  if (t.matches("button.expand-all, button.collapse-all")) {
    const open = t.matches(".expand-all");
    const tree = t.closest(".trace");
    if (tree) tree.querySelectorAll("details").forEach((d) => { d.open = open; });
  }
});

// fallbackCopy copies through a hidden text area where the clipboard API
// is not offered (a page served over plain http on some browsers).
function fallbackCopy(text, done) {
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "absolute";
  ta.style.left = "-9999px";
  document.body.appendChild(ta);
  ta.select();
  try { document.execCommand("copy"); done(); } finally { ta.remove(); }
}

// Ctrl+Enter (or Cmd+Enter) in a text area submits its form.
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target instanceof HTMLTextAreaElement && ev.target.form) {
    ev.target.form.requestSubmit();
  }
});
