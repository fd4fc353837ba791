"""Typing numbers: a decimal comma in a number cell is read as a decimal point, never dropped.

Every number cell of the app (weights, biases, settings) is an ``<input type="number">``. Chromium reads what
is typed there in the browser's locale and, in an English one, takes the comma for a thousands separator:
"1,5" reaches the server as **15**, and the server cannot tell (issue 17). So the page carries one small
script (:data:`SCRIPT`, installed once per page by :func:`install`) that, in a number cell only:

- turns a typed ``,`` into ``.`` as it is typed ("1,5" shows and counts as 1.5), with a short note under the
  cell that says so until Enter, leaving the cell or 6 s (``role="status"``: a screen reader hears it too);
- pastes text with one comma and no point the same way ("-0,25" → -0.25); any other pasted text with a comma
  ("1,000.5", "1,2,3") is refused with a note, and the cell keeps what it had.

A weight cell's range is ±1000, so the one reading this changes is "1,000" meant as a thousand: it becomes
1.000, and the cell shows 1.000 - what the maths uses is what the cell shows. The compact editor of wide
kernels (a text box of space-separated numbers, :mod:`ui.lab.designer.rows`) refuses commas on the server
instead, since there a comma could also be a separator. The script holds no user text.
"""

from __future__ import annotations

import json

import streamlit as st

#: What the note under a cell says (also read by the browser test).
READ_AS_POINT = "A comma is read as a decimal point here: 1,5 is 1.5."
PASTE_REFUSED = "Not pasted: paste one number with a decimal point, e.g. 1.5."

SCRIPT = """<script>
(() => {
  if (window.__cvNumberEntry) return;  // one set of listeners per page, however often the script reruns
  window.__cvNumberEntry = true;
  const READ = %(read)s, REFUSED = %(refused)s;
  let note = null, timer = null;
  const isNumberCell = t => t instanceof HTMLInputElement && t.type === 'number';
  const show = (cell, text) => {
    if (note === null) {
      note = document.createElement('div');
      note.id = 'cv-number-note';
      note.setAttribute('role', 'status');
      note.style.cssText = 'position:fixed;z-index:1000;max-width:22rem;padding:4px 8px;border-radius:6px;' +
        'background:#202124;color:#ffffff;font-size:0.85rem;line-height:1.3;pointer-events:none';
      document.body.appendChild(note);
    }
    const r = cell.getBoundingClientRect();
    note.textContent = text;
    note.style.left = Math.max(4, r.left) + 'px';
    note.style.top = (r.bottom + 4) + 'px';
    note.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(hide, 6000);
  };
  const hide = () => { if (note !== null) note.hidden = true; };
  document.addEventListener('keydown', e => {
    if (!isNumberCell(e.target)) return;
    if (e.key === 'Enter' || e.key === 'Escape') hide();  // the value is sent (or dropped): the note is done
    if (e.key !== ',' || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    document.execCommand('insertText', false, '.');  // an edit like a typed key: the cell's own input event
    show(e.target, READ);
  }, true);
  document.addEventListener('paste', e => {
    const text = (e.clipboardData && e.clipboardData.getData('text')) || '';
    if (!isNumberCell(e.target) || !text.includes(',')) return;
    e.preventDefault();
    if (/^\\s*[-+]?\\d*,\\d+\\s*$/.test(text)) {
      document.execCommand('insertText', false, text.trim().replace(',', '.'));
      show(e.target, READ);
    } else {
      show(e.target, REFUSED);
    }
  }, true);
  document.addEventListener('focusout', e => { if (isNumberCell(e.target)) hide(); }, true);
  document.addEventListener('scroll', hide, true);
})();
</script>"""


#: The script with its two notes filled in (constants of this module, quoted as JS strings), made once.
HTML = SCRIPT % {"read": json.dumps(READ_AS_POINT), "refused": json.dumps(PASTE_REFUSED)}


def install() -> None:
    """Put the number-entry script on the page (every page; the script itself runs once per page)."""
    st.html(HTML, unsafe_allow_javascript=True)
