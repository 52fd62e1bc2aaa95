// Unit page: one small line chart per indicator, the weekly values against the milestone's target.
(function () {
  var box = document.getElementById('trends');
  var data = document.getElementById('trend-data');
  if (!box || !data || !window.echarts) return;
  var trends = JSON.parse(data.textContent);
  function number(v, percent) {
    if (v === null || v === undefined) return '–';
    var text = percent ? v.toFixed(1).replace('.', ',') : String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    return percent ? text.replace(/,0$/, '') + ' %' : text;
  }
  trends.forEach(function (t) {
    var cell = document.createElement('figure');
    cell.className = 'trend';
    var caption = document.createElement('figcaption');
    caption.textContent = t.code + ' – ' + t.name;
    var chartBox = document.createElement('div');
    chartBox.className = 'chart';
    cell.appendChild(caption);
    cell.appendChild(chartBox);
    box.appendChild(cell);
    var chart = echarts.init(chartBox, null, { renderer: 'svg' });
    // Room for the values and the target line, up to a round number (at most 100 % for percentages).
    var top = Math.max.apply(null, t.values.filter(function (v) { return v !== null; }).concat(t.target || 0)) * 1.08;
    var step = Math.pow(10, Math.floor(Math.log10(Math.max(top, 1))));
    var nice = [1, 2, 2.5, 5, 10].map(function (m) { return m * step; }).filter(function (v) { return v >= top; })[0];
    var max = t.percent ? Math.min(100, Math.ceil(top / 10) * 10) : nice;
    chart.setOption({
      animation: false,
      grid: { left: 52, right: 12, top: 20, bottom: 24 },
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return number(v, t.percent); } },
      xAxis: { type: 'category', data: t.days.map(function (d) { return d.slice(0, 5); }), axisLabel: { fontSize: 10 } },
      yAxis: { type: 'value', min: 0, max: max,
               axisLabel: { fontSize: 10, formatter: function (v) { return number(v, t.percent); } } },
      series: [{
        type: 'line', data: t.values, connectNulls: true, symbolSize: 4,
        lineStyle: { color: '#1f5fa8', width: 2 }, itemStyle: { color: '#1f5fa8' },
        markLine: t.target === null ? undefined : {
          symbol: 'none', silent: true, lineStyle: { color: '#b3261e', type: 'dashed' },
          label: { formatter: 'chỉ tiêu ' + number(t.target, t.percent), fontSize: 10, position: 'insideEndTop' },
          data: [{ yAxis: t.target }]
        }
      }]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  });
  box.setAttribute('data-ready', String(trends.length));
})();
