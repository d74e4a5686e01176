// The dashboard's own script: draws every [data-chart] element from the
// JSON block it names (an ECharts option, or several to switch between),
// follows a clicked item's url, and marks what is drawn for browser tests:
// data-rendered="1" on a chart after ECharts' first `finished`, and
// body[data-charts-ready="1"] once every chart of the page is drawn
// ("unavailable" when the vendored assets are not built).
(function () {
  'use strict';
  var body = document.body;
  var mapLoad = null;

  function loadMap() {
    if (!mapLoad) {
      mapLoad = fetch('/static/vendor/lishui.geojson')
        .then(function (r) { if (!r.ok) { throw new Error('lishui.geojson: ' + r.status); } return r.json(); })
        .then(function (g) { echarts.registerMap('lishui', g); });
    }
    return mapLoad;
  }

  function checkReady() {
    var all = document.querySelectorAll('[data-chart]');
    for (var i = 0; i < all.length; i++) {
      if (all[i].dataset.rendered !== '1' && all[i].dataset.rendered !== 'error') { return; }
    }
    body.dataset.chartsReady = '1';
  }

  function draw(el) {
    if (el.dataset.drawn) { return; }
    el.dataset.drawn = '1';
    var src = document.getElementById(el.dataset.chart);
    var spec = JSON.parse(src.textContent);
    (spec.map ? loadMap() : Promise.resolve()).then(function () {
      var c = echarts.init(el);
      c.on('finished', function () {
        if (el.dataset.rendered !== '1') { el.dataset.rendered = '1'; checkReady(); }
      });
      c.on('click', function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
      // No animation: a page is read, not watched, and ECharts' `finished`
      // then comes with the first frame drawn.
      c.setOption(Object.assign({ animation: false }, spec.option));
      window.addEventListener('resize', function () { c.resize(); });
      document.querySelectorAll('button[data-for="' + el.id + '"]').forEach(function (b) {
        b.addEventListener('click', function () {
          c.setOption(Object.assign({ animation: false }, spec.options[b.dataset.key]), true);
          document.querySelectorAll('button[data-for="' + el.id + '"]').forEach(function (o) {
            o.setAttribute('aria-pressed', o === b ? 'true' : 'false');
          });
        });
      });
    }).catch(function (err) {
      el.dataset.rendered = 'error';
      el.textContent = String(err);
      checkReady();
    });
  }

  function init() {
    var charts = document.querySelectorAll('[data-chart]');
    if (typeof echarts === 'undefined') {
      body.dataset.chartsReady = charts.length ? 'unavailable' : '1';
      return;
    }
    body.dataset.chartsReady = '0';
    charts.forEach(draw);
    checkReady();
  }

  document.addEventListener('DOMContentLoaded', init);
  // htmx swaps in new content (filters, refreshes): draw its charts too.
  document.addEventListener('htmx:afterSettle', init);

  // Forms that ask before they act: <form data-confirm="…">.
  document.addEventListener('submit', function (e) {
    var msg = e.target.dataset && e.target.dataset.confirm;
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();
