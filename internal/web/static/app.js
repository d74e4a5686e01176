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

  // The alarms page is live (decision 0027): <div data-stream="URL"> opens
  // the alarm stream with the page's filters; each event has htmx fetch
  // the list again (once for a burst: 300 ms after its first event) and mark
  // the rows it changed.
  // The browser's EventSource reconnects by itself with the last event id.
  function live() {
    var el = document.querySelector('[data-stream]');
    if (!el || typeof EventSource === 'undefined' || el.dataset.live) { return; }
    el.dataset.live = 'connecting';
    var es = new EventSource(el.dataset.stream);
    var status = document.getElementById('live-status');
    var changed = {}, pending = null;
    function show(state) {
      el.dataset.live = state;
      if (status) { status.dataset.state = state; status.textContent = status.dataset[state] || ''; }
    }
    es.addEventListener('open', function () { show('on'); });
    es.addEventListener('error', function () { show(es.readyState === EventSource.CLOSED ? 'off' : 'connecting'); });
    es.addEventListener('alarm', function (e) {
      var a = JSON.parse(e.data);
      changed[a.id] = true;
      body.dataset.lastAlarm = String(a.id);
      if (pending) { return; }
      pending = setTimeout(function () {
        pending = null;
        if (typeof htmx !== 'undefined') { htmx.trigger(document.getElementById('alarm-list'), 'alarm-changed'); }
      }, 300);
    });
    document.addEventListener('htmx:afterSettle', function () {
      Object.keys(changed).forEach(function (id) {
        var row = document.getElementById('alarm-' + id);
        if (row) { row.classList.add('changed'); }
      });
      changed = {};
    });
  }
  document.addEventListener('DOMContentLoaded', live);

  // Forms that ask before they act: <form data-confirm="…">.
  document.addEventListener('submit', function (e) {
    var msg = e.target.dataset && e.target.dataset.confirm;
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();
