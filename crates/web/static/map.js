// Choropleth of the units below one unit, coloured by status (the same colours as the heat table).
// The data comes with the page (#map-data), the boundaries from /static/geo/.
(function () {
  var el = document.getElementById('map');
  var data = document.getElementById('map-data');
  if (!el || !data || !window.echarts) return;
  var areas = JSON.parse(data.textContent);
  // The palette of the heat table and the legend (CSS variables --st-*).
  var css = getComputedStyle(document.documentElement);
  var colors = { '': css.getPropertyValue('--st-none').trim() };
  ['achieved', 'on_track', 'at_risk', 'off_track', 'no_data'].forEach(function (s) {
    colors[s] = css.getPropertyValue('--st-' + s).trim();
  });
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  var asOf = new URLSearchParams(location.search).get('as_of') || '';
  fetch(el.getAttribute('data-geo')).then(function (r) {
    if (!r.ok) throw new Error('boundaries: HTTP ' + r.status);
    return r.json();
  }).then(function (geo) {
    echarts.registerMap('units', geo);
    var chart = echarts.init(el, null, { renderer: 'svg' });
    // Coloured by status; where no target applies at this level (totals), by value.
    var byStatus = areas.some(function (a) { return a.status; });
    var values = areas.map(function (a) { return a.value; }).filter(function (v) { return v !== null; });
    chart.setOption({
      visualMap: byStatus || !values.length ? [] : [{
        type: 'continuous', min: 0, max: Math.max.apply(null, values), calculable: false,
        inRange: { color: ['#e3edf9', '#1f5fa8'] }, text: ['cao', 'thấp'], left: 10, bottom: 10
      }],
      animation: false,
      tooltip: {
        trigger: 'item', confine: true, extraCssText: 'max-width: 24rem; white-space: normal;',
        formatter: function (p) {
          return p.data ? '<b>' + escapeHtml(p.data.label) + '</b><br>' + escapeHtml(p.data.title) : escapeHtml(p.name);
        }
      },
      series: [{
        type: 'map', map: 'units', nameProperty: 'code', roam: true, selectedMode: false,
        itemStyle: { borderColor: '#ffffff', borderWidth: 0.7, areaColor: colors[''] },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#1f5fa8' } },
        data: areas.map(function (a) {
          return {
            name: a.code, value: a.value, label: a.name, title: a.title, status: a.status,
            itemStyle: byStatus ? { areaColor: colors[a.status] || colors[''] } : undefined
          };
        })
      }]
    });
    el.setAttribute('data-ready', String(areas.length));
    window.addEventListener('resize', function () { chart.resize(); });
    chart.on('click', function (p) {
      location.href = '/units/' + encodeURIComponent(p.name) + (asOf ? '?as_of=' + encodeURIComponent(asOf) : '');
    });
  }).catch(function (e) {
    el.textContent = 'Không vẽ được bản đồ (' + e.message + '); số liệu ở bảng dưới.';
  });
  // Choosing another indicator redraws at once.
  var select = document.querySelector('#map-form select[name=indicator]');
  if (select) select.addEventListener('change', function () { select.form.submit(); });
})();
