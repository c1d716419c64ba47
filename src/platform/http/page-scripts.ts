import { createHash } from "node:crypto";

/**
 * The few inline scripts server-rendered pages may carry. The Content-Security-Policy allows
 * each by the SHA-256 hash of its exact text (CSP Level 2 hash sources), so no other inline
 * script can run: not `'unsafe-inline'`, and no nonce to forge. Pages work without them.
 */

/**
 * "Copy to clipboard" for any `<button data-copy-from="ID" hidden>`: reveals the button, and a
 * click copies the text of the element with that id (its `data-copy-status` element, if any,
 * says what happened). Where the Clipboard API is refused, it falls back to selecting the text
 * (opening an enclosing `<details>`) and `execCommand("copy")`, leaving the text selected so
 * Ctrl+C works. Without JavaScript the button stays hidden and the text stays selectable.
 */
export const COPY_BUTTON_SCRIPT = `(function () {
  function select(el) {
    var details = el.closest("details");
    if (details) details.open = true;
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function legacyCopy(el) {
    try {
      select(el);
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }
  var buttons = document.querySelectorAll("button[data-copy-from]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    if (!source) return;
    function report(copied) {
      if (!copied) select(source);
      if (status) status.textContent = copied ? "Copied." : "Press Ctrl+C to copy the selected text.";
    }
    button.addEventListener("click", function () {
      var text = source.textContent || "";
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { report(true); },
          function () { report(legacyCopy(source)); }
        );
      } else {
        report(legacyCopy(source));
      }
    });
    button.hidden = false;
  });
})();`;

/** `'sha256-…'` for a script's exact text, as a CSP source expression. */
export function cspHashOf(script: string): string {
  return `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
}

/** The script-src hash sources of every page script above. */
export const PAGE_SCRIPT_HASHES: readonly string[] = [cspHashOf(COPY_BUTTON_SCRIPT)];
