// Small progressive enhancement: a complete dd/mm/yyyy date in the "as of" box submits the form.
document.querySelectorAll('form.asof input[name=as_of]').forEach(function (input) {
  input.addEventListener('change', function () {
    if (/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(input.value)) input.form.submit();
  });
});

// Weekly report form: the "change" column follows what the user types (same text as the server renders).
function formatCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
document.querySelectorAll('#report-form tr[data-previous]').forEach(function (row) {
  var previous = row.getAttribute('data-previous');
  var input = row.querySelector('input[name$=".n"]');
  var cell = row.querySelector('td.change');
  if (previous === '' || !input || !cell) return;
  input.addEventListener('input', function () {
    var raw = input.value.replace(/[\s\u00a0\u202f]/g, '');
    if (/^\d+(\.\d{3})+$/.test(raw)) raw = raw.replace(/\./g, '');
    if (!/^\d{1,12}$/.test(raw)) { cell.textContent = ''; return; }
    var delta = Number(raw) - Number(previous);
    cell.textContent = delta === 0 ? 'không đổi' : (delta > 0 ? '+' : '−') + formatCount(Math.abs(delta));
  });
});

// Sortable tables: a click on a column heading sorts by that column (numbers by value, empty last),
// again to reverse. Cells carry their raw value in data-sort-value.
document.querySelectorAll('table.sortable').forEach(function (table) {
  var headings = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headings, function (th, index) {
    th.tabIndex = 0;
    th.classList.add('sorts');
    function sort() {
      var numeric = th.getAttribute('data-sort') === 'number';
      // First click: largest numbers first, names A to Z; a second click reverses.
      var current = th.getAttribute('aria-sort');
      var descending = current ? current === 'ascending' : numeric;
      Array.prototype.forEach.call(headings, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[index];
        var raw = cell.hasAttribute('data-sort-value') ? cell.getAttribute('data-sort-value') : cell.textContent;
        return numeric ? (raw === '' ? null : Number(raw)) : raw;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);
        var order = numeric ? x - y : String(x).localeCompare(String(y), 'vi');
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
  });
});
