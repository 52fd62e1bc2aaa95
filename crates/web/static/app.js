// Small progressive enhancement: a complete dd/mm/yyyy date in the "as of" box submits the form.
document.querySelectorAll('form.asof input[name=as_of]').forEach(function (input) {
  input.addEventListener('change', function () {
    if (/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(input.value)) input.form.submit();
  });
});
