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
