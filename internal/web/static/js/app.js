/* 落实 (Luoshi) — page behaviour. Plain ES2017, no build step.
 *
 * The Content-Security-Policy forbids inline script, so every behaviour a
 * template needs is declared with markup and wired here:
 *   <meta name="csrf-token" content="…">   token sent on htmx and luoshi.fetch
 *   data-confirm="确定删除？"               confirm() before the click/submit
 *   <select class="plan-select">           option values are URLs; change navigates
 *   .app-nav                               gets a menu toggle on narrow screens
 *   <div class="chart" data-chart='{…}'>   an ECharts option as JSON
 *   .flash-success                         fades out after 5 s
 *   <button class="print-button">         prints the page
 *   <select class="auto-submit">           submits its form on change
 * Load it after htmx with defer:
 *   <script src="{{static "vendor/htmx.min.js"}}" defer></script>
 *   <script src="{{static "js/app.js"}}" defer></script>
 */
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;
  root.classList.add('js');

  var english = /^en\b/i.test(root.lang || '');

  // ---- htmx configuration (before htmx's DOMContentLoaded start-up) ----
  if (window.htmx && window.htmx.config) {
    var cfg = window.htmx.config;
    // htmx would inject a <style> element, which the CSP blocks; app.css has it.
    cfg.includeIndicatorStyles = false;
    // hx-on / js: expressions need eval, which the CSP blocks anyway.
    cfg.allowEval = false;
    // Forms re-render with 422 and field messages: swap those in like a 200.
    cfg.responseHandling = [
      { code: '204', swap: false },
      { code: '[23]..', swap: true },
      { code: '422', swap: true },
      { code: '[45]..', swap: false, error: true },
      { code: '...', swap: false }
    ];
  }

  // ---- (a) CSRF ----
  function csrfToken() {
    var m = doc.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') || '' : '';
  }

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  // Listening on document (htmx events bubble there) also covers requests
  // fired before <body> exists or while it is being replaced.
  doc.addEventListener('htmx:configRequest', function (evt) {
    var d = evt.detail;
    var token = csrfToken();
    if (d && d.headers && token && sameOrigin(d.path || '')) {
      d.headers['X-CSRF-Token'] = token;
    }
  });

  // luoshi.fetch is window.fetch with the CSRF header and same-origin cookies.
  function luoshiFetch(url, options) {
    var opts = Object.assign({ credentials: 'same-origin' }, options || {});
    var headers = new Headers(opts.headers || {});
    var token = csrfToken();
    if (token && sameOrigin(String(url))) {
      headers.set('X-CSRF-Token', token);
    }
    if (!headers.has('Accept')) {
      headers.set('Accept', 'application/json');
    }
    opts.headers = headers;
    return window.fetch(url, opts);
  }

  // ---- (b) data-confirm ----
  // Capture phase, so a refusal stops htmx and other handlers on the target.
  function refuse(evt) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }

  doc.addEventListener('click', function (evt) {
    var el = evt.target instanceof Element ? evt.target.closest('[data-confirm]') : null;
    if (!el || el.tagName === 'FORM') {
      return;
    }
    if (el.hasAttribute('disabled') || el.getAttribute('aria-disabled') === 'true') {
      return;
    }
    if (!window.confirm(el.getAttribute('data-confirm'))) {
      refuse(evt);
    }
  }, true);

  doc.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-confirm')) {
      return;
    }
    // A submitter with its own data-confirm was already asked on click.
    var submitter = evt.submitter;
    if (submitter && submitter.hasAttribute('data-confirm')) {
      return;
    }
    if (!window.confirm(form.getAttribute('data-confirm'))) {
      refuse(evt);
    }
  }, true);

  // ---- (c) plan selector ----
  doc.addEventListener('change', function (evt) {
    var sel = evt.target;
    if (!(sel instanceof HTMLSelectElement) || !sel.classList.contains('plan-select')) {
      return;
    }
    var url = sel.value;
    if (url && sameOrigin(url)) {
      window.location.assign(url);
    }
  });

  // ---- (d) narrow-screen navigation toggle ----
  function setupNav() {
    var nav = doc.querySelector('.app-nav');
    if (!nav) {
      return;
    }
    if (!nav.id) {
      nav.id = 'app-nav';
    }
    var btn = doc.querySelector('.nav-toggle');
    if (!btn) {
      btn = doc.createElement('button');
      btn.type = 'button';
      btn.className = 'nav-toggle';
      btn.textContent = english ? 'Menu' : '菜单';
      var brand = nav.querySelector('.nav-brand');
      if (brand && brand.nextSibling) {
        nav.insertBefore(btn, brand.nextSibling);
      } else {
        nav.appendChild(btn);
      }
    }
    btn.setAttribute('aria-controls', nav.id);
    btn.setAttribute('aria-expanded', 'false');
    function setOpen(open) {
      doc.body.classList.toggle('nav-open', open);
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    btn.addEventListener('click', function () {
      setOpen(!doc.body.classList.contains('nav-open'));
    });
    doc.addEventListener('keydown', function (evt) {
      if (evt.key === 'Escape' && doc.body.classList.contains('nav-open')) {
        setOpen(false);
        btn.focus();
      }
    });
  }

  // ---- (e) charts ----
  var charts = [];
  var fontFamily = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif';

  function initCharts(scope) {
    if (!window.echarts || !scope || !scope.querySelectorAll) {
      return;
    }
    var els = Array.prototype.slice.call(scope.querySelectorAll('.chart[data-chart]'));
    if (scope.matches && scope.matches('.chart[data-chart]')) {
      els.unshift(scope);
    }
    els.forEach(function (el) {
      if (el.getAttribute('data-chart-ready') === '1') {
        return;
      }
      var option;
      try {
        option = JSON.parse(el.getAttribute('data-chart'));
      } catch (e) {
        console.error('luoshi: bad data-chart JSON', el, e);
        return;
      }
      if (option && typeof option === 'object' && !option.textStyle) {
        option.textStyle = { fontFamily: fontFamily };
      }
      // Locale: ECharts picks ZH or EN from <html lang>.
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(option);
      el.setAttribute('data-chart-ready', '1');
      charts.push(chart);
    });
  }

  function resizeCharts() {
    charts = charts.filter(function (c) {
      var el = c.getDom();
      if (!el || !doc.body.contains(el)) {
        c.dispose();
        return false;
      }
      c.resize();
      return true;
    });
  }

  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeCharts, 150);
  });
  window.addEventListener('beforeprint', resizeCharts);
  window.addEventListener('afterprint', resizeCharts);

  // ---- (f) flash messages ----
  function hideFlashes(scope) {
    if (!scope || !scope.querySelectorAll) {
      return;
    }
    var els = Array.prototype.slice.call(scope.querySelectorAll('.flash-success'));
    if (scope.matches && scope.matches('.flash-success')) {
      els.unshift(scope);
    }
    els.forEach(function (el) {
      if (el.getAttribute('data-flash-timer') === '1') {
        return;
      }
      el.setAttribute('data-flash-timer', '1');
      window.setTimeout(function () {
        el.classList.add('is-hiding');
        window.setTimeout(function () {
          el.hidden = true;
        }, 450);
      }, 5000);
    });
  }

  // ---- (f) print buttons and self-submitting selects ----
  doc.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest ? evt.target.closest('.print-button') : null;
    if (btn) {
      evt.preventDefault();
      window.print();
    }
  });
  doc.addEventListener('change', function (evt) {
    var el = evt.target;
    if (el && el.matches && el.matches('select.auto-submit') && el.form) {
      el.form.submit();
    }
  });

  // ---- start-up, and again for content swapped in by htmx ----
  function enhance(scope) {
    initCharts(scope);
    hideFlashes(scope);
  }

  doc.addEventListener('htmx:load', function (evt) {
    enhance(evt.target);
  });

  function start() {
    setupNav();
    enhance(doc.body);
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }

  window.luoshi = {
    csrfToken: csrfToken,
    fetch: luoshiFetch,
    initCharts: initCharts,
    resizeCharts: resizeCharts
  };
})();
