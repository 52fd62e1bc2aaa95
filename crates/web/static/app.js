// Small progressive enhancement: choosing a date submits the "as of" form at once.
document.querySelectorAll('form.asof input[type=date]').forEach(function (input) {
  input.addEventListener('change', function () { if (input.value) input.form.submit(); });
});
