// Draws the Poglytics report's charts as inline SVG from the JSON embedded in the page. Runs in
// the browser with no libraries and no network. Every data mark carries data-series, data-label
// and data-value, so a test (or a curious reader) can check what was drawn.
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var PALETTE = ['#6441a5', '#2a9d8f', '#e9c46a', '#f4a261', '#e76f51', '#264653', '#8ab17d', '#b56576', '#457b9d', '#9c6644'];
  var data = JSON.parse(document.getElementById('report-data').textContent);

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    var node = el('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }
  function mark(node, series, label, value) {
    node.setAttribute('class', ((node.getAttribute('class') || '') + ' mark').trim());
    node.setAttribute('data-series', series);
    node.setAttribute('data-label', label);
    node.setAttribute('data-value', String(value));
    var title = document.createElementNS(NS, 'title');
    title.textContent = (series ? series + ' · ' : '') + label + ': ' + Number(value).toLocaleString('en-US');
    node.appendChild(title);
    return node;
  }
  function svg(container, name, width, height) {
    var root = el('svg', { viewBox: '0 0 ' + width + ' ' + height, width: '100%', role: 'img', 'data-chart': name });
    container.appendChild(root);
    return root;
  }
  function niceMax(value) {
    if (value <= 0) return 1;
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var candidates = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < candidates.length; i++) if (candidates[i] * step >= value) return candidates[i] * step;
    return 10 * step;
  }
  function fmt(n) {
    return Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  function empty(container, message) {
    var p = document.createElement('p');
    p.className = 'empty';
    p.textContent = message;
    container.appendChild(p);
  }
  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function timeLabel(ms, withDate) {
    var d = new Date(ms);
    var hm = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
    return withDate ? d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) + ' ' + hm : hm;
  }

  /** A line with one marked point per time bucket. */
  function lineChart(container, name, points) {
    if (points.length === 0) return empty(container, 'No messages in this range.');
    var W = 960,
      H = 280,
      L = 56,
      R = 16,
      T = 16,
      B = 40;
    var root = svg(container, name, W, H);
    var max = niceMax(
      Math.max.apply(
        null,
        points.map(function (p) {
          return p.messages;
        }),
      ),
    );
    var t0 = points[0].t,
      t1 = points[points.length - 1].t;
    var x = function (t) {
      return L + (t1 === t0 ? (W - L - R) / 2 : ((t - t0) / (t1 - t0)) * (W - L - R));
    };
    var y = function (v) {
      return T + (1 - v / max) * (H - T - B);
    };
    for (var i = 0; i <= 4; i++) {
      var v = (max / 4) * i;
      el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }, root);
      text(root, L - 8, y(v) + 4, fmt(v), { 'text-anchor': 'end', class: 'axis' });
    }
    var multiDay = t1 - t0 > 86400000;
    var ticks = Math.min(8, points.length);
    for (var k = 0; k < ticks; k++) {
      var p = points[Math.round((k / Math.max(1, ticks - 1)) * (points.length - 1))];
      text(root, x(p.t), H - B + 18, timeLabel(p.t, multiDay || k === 0), { 'text-anchor': 'middle', class: 'axis' });
    }
    var d = points
      .map(function (p, i) {
        return (i ? 'L' : 'M') + x(p.t).toFixed(1) + ' ' + y(p.messages).toFixed(1);
      })
      .join(' ');
    el('path', { d: d + ' L' + x(t1).toFixed(1) + ' ' + y(0) + ' L' + x(t0).toFixed(1) + ' ' + y(0) + ' Z', class: 'area' }, root);
    el('path', { d: d, class: 'line' }, root);
    points.forEach(function (p) {
      mark(
        el('circle', { cx: x(p.t).toFixed(1), cy: y(p.messages).toFixed(1), r: points.length > 120 ? 1.5 : 3, class: 'point' }, root),
        'messages',
        new Date(p.t).toISOString(),
        p.messages,
      );
    });
  }

  /** Horizontal bars, one row per label, optionally stacked from several series. */
  function barChart(container, name, labels, series) {
    if (labels.length === 0) return empty(container, 'Nothing in this range.');
    var W = 960,
      L = 150,
      R = 70,
      ROW = 26,
      T = series.length > 1 ? 30 : 8;
    var H = T + labels.length * ROW + 8;
    var root = svg(container, name, W, H);
    var totals = labels.map(function (_, i) {
      return series.reduce(function (s, ser) {
        return s + ser.values[i];
      }, 0);
    });
    var max = niceMax(Math.max.apply(null, totals));
    var scale = function (v) {
      return (v / max) * (W - L - R);
    };
    if (series.length > 1) {
      var lx = L;
      series.forEach(function (ser, s) {
        el('rect', { x: lx, y: 8, width: 12, height: 12, fill: PALETTE[s % PALETTE.length] }, root);
        text(root, lx + 16, 18, ser.name, { class: 'legend' });
        lx += 28 + ser.name.length * 7.5;
      });
    }
    labels.forEach(function (label, i) {
      var y = T + i * ROW;
      text(root, L - 8, y + ROW / 2 + 4, label, { 'text-anchor': 'end', class: 'label' });
      var x = L;
      series.forEach(function (ser, s) {
        var value = ser.values[i];
        if (value <= 0) return;
        var w = scale(value);
        mark(
          el(
            'rect',
            { x: x.toFixed(1), y: y + 3, width: Math.max(1, w).toFixed(1), height: ROW - 6, fill: PALETTE[s % PALETTE.length], rx: 2 },
            root,
          ),
          ser.name,
          label,
          value,
        );
        x += w;
      });
      text(root, x + 6, y + ROW / 2 + 4, fmt(totals[i]), { class: 'value' });
    });
  }

  /** A donut of shares with a legend. */
  function donutChart(container, name, slices) {
    var total = slices.reduce(function (s, x) {
      return s + x.value;
    }, 0);
    if (total === 0) return empty(container, 'No events in this range.');
    var W = 960,
      H = 260,
      cx = 130,
      cy = 130,
      r = 110,
      inner = 62;
    var root = svg(container, name, W, H);
    var angle = -Math.PI / 2;
    slices.forEach(function (slice, i) {
      var sweep = (slice.value / total) * Math.PI * 2;
      var color = PALETTE[i % PALETTE.length];
      var node;
      if (sweep >= Math.PI * 2 - 1e-9) {
        node = el('circle', { cx: cx, cy: cy, r: (r + inner) / 2, fill: 'none', stroke: color, 'stroke-width': r - inner }, root);
      } else {
        var a0 = angle,
          a1 = angle + sweep,
          large = sweep > Math.PI ? 1 : 0;
        var p = function (rad, a) {
          return (cx + rad * Math.cos(a)).toFixed(2) + ' ' + (cy + rad * Math.sin(a)).toFixed(2);
        };
        node = el(
          'path',
          {
            d:
              'M' +
              p(r, a0) +
              ' A' +
              r +
              ' ' +
              r +
              ' 0 ' +
              large +
              ' 1 ' +
              p(r, a1) +
              ' L' +
              p(inner, a1) +
              ' A' +
              inner +
              ' ' +
              inner +
              ' 0 ' +
              large +
              ' 0 ' +
              p(inner, a0) +
              ' Z',
            fill: color,
          },
          root,
        );
      }
      mark(node, 'events', slice.label, slice.value);
      angle += sweep;
      var ly = 24 + i * 26;
      el('rect', { x: 290, y: ly - 11, width: 14, height: 14, fill: color, rx: 2 }, root);
      text(root, 312, ly, slice.label, { class: 'legend' });
      text(root, 470, ly, fmt(slice.value) + '  (' + fmt((slice.value / total) * 100) + ' %)', { class: 'value' });
    });
    text(root, cx, cy + 6, fmt(total), { 'text-anchor': 'middle', class: 'total' });
  }

  function column(rows, key) {
    return rows.map(function (r) {
      return Number(r[key]) || 0;
    });
  }
  function channelsOf(rows) {
    return rows.map(function (r) {
      return r.channel;
    });
  }
  // One bar series per named column of the rows.
  function seriesOf(rows, names) {
    return names.map(function (name) {
      return { name: name, values: column(rows, name) };
    });
  }

  var charts = [
    function () {
      lineChart(document.getElementById('chart-timeline'), 'timeline', data.timeline.points);
    },
    function () {
      barChart(
        document.getElementById('chart-top-channels'),
        'top-channels',
        channelsOf(data.topChannels),
        seriesOf(data.topChannels, ['messages']),
      );
    },
    function () {
      donutChart(
        document.getElementById('chart-event-mix'),
        'event-mix',
        data.eventMix.map(function (r) {
          return { label: r.kind, value: Number(r.events) };
        }),
      );
    },
    function () {
      var rows = data.subscriptions;
      barChart(
        document.getElementById('chart-subscriptions'),
        'subscriptions',
        channelsOf(rows),
        seriesOf(rows, ['subs', 'resubs', 'gifted', 'upgrades']),
      );
    },
    function () {
      var rows = data.moderation;
      barChart(
        document.getElementById('chart-moderation'),
        'moderation',
        channelsOf(rows),
        seriesOf(rows, ['bans', 'timeouts', 'deletions', 'clears']),
      );
    },
  ];
  var drawn = 0;
  charts.forEach(function (draw) {
    try {
      draw();
      drawn++;
    } catch (error) {
      document.body.setAttribute('data-chart-error', String(error && error.message));
    }
  });
  document.body.setAttribute('data-charts-rendered', String(drawn));
})();
