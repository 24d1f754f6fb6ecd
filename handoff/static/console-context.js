/*
 * Mostrador agent console: the context panel (GET /api/v1/agent/conversations/{id}/context) and
 * the DOM helpers the console shares. Text is only ever set with textContent: never HTML.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;

  // el('li', {class: 'x', text: 'y', 'aria-label': 'z'}, [children]) -> element
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (name === 'text') node.textContent = value === null || value === undefined ? '' : String(value);
      else if (name === 'class') node.className = value;
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // The hub's timestamps are UTC; SQLite may drop the offset, so a bare one is read as UTC.
  function parseTime(iso) {
    if (!iso) return null;
    var text = String(iso);
    if (!/(Z|[+-]\d\d:?\d\d)$/.test(text)) text += 'Z';
    var date = new Date(text);
    return isNaN(date.getTime()) ? null : date;
  }

  function formatTime(iso, withDate) {
    var date = parseTime(iso);
    if (!date) return '';
    var options = withDate
      ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' };
    return date.toLocaleString(app.i18n.language(), options);
  }

  function score(value) {
    return typeof value === 'number' ? value.toFixed(2) : '–';
  }

  function valueText(value) {
    if (value === null || value === undefined) return '–';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  // What the bot collected, named for people (a key not listed shows as it is).
  var SLOT_NAMES = {
    es: { faq: 'Pregunta elegida', order_number: 'Número de pedido', email: 'Email', phone: 'Teléfono', language: 'Idioma' },
    en: { faq: 'Question chosen', order_number: 'Order number', email: 'Email', phone: 'Phone', language: 'Language' }
  };

  function slotName(key) {
    return (SLOT_NAMES[app.i18n.language()] || SLOT_NAMES.es)[key] || key;
  }

  app.i18n.extend({
    es: { kb_insert: 'Insertar', kb_insert_label: function (q) { return 'Insertar la respuesta de «' + q + '» en tu respuesta'; } },
    en: { kb_insert: 'Insert', kb_insert_label: function (q) { return 'Insert the answer to "' + q + '" in your reply'; } }
  });

  var PRIORITY_NAMES = { 2: 'high', 1: 'normal', 0: 'low' };

  function section(title, body, cls) {
    return el('section', { class: 'ctx-section' + (cls ? ' ' + cls : '') }, [el('h3', { text: title })].concat(body));
  }

  function handoffSection(ctx) {
    var handoff = ctx.handoff;
    if (!handoff) return section(t('handoff_reason'), [el('p', { text: t('none') })], 'ctx-reason');
    var priority = typeof handoff.priority === 'number' ? PRIORITY_NAMES[handoff.priority] : handoff.priority;
    return section(t('handoff_reason'), [
      el('p', { class: 'reason', 'data-reason': handoff.reason, text: t('reasons')[handoff.reason] || handoff.reason }),
      el('p', { class: 'muted' }, [
        el('span', { class: 'prio prio-' + (priority || 'normal'), text: t('priority')[priority || 'normal'] }),
        ' · ' + formatTime(handoff.requested_at, true)
      ])
    ], 'ctx-reason');
  }

  function keyValues(entries, cls) {
    if (!entries.length) return el('p', { class: 'muted', text: t('none') });
    return el('dl', { class: 'kv ' + (cls || '') }, entries.reduce(function (nodes, pair) {
      nodes.push(el('dt', { text: pair[0] }));
      nodes.push(el('dd', { text: pair[1] }));
      return nodes;
    }, []));
  }

  // An FAQ candidate's answer goes into the reply box, for the agent to edit before sending.
  function insertButton(candidate) {
    var button = el('button', {
      type: 'button', class: 'btn btn-small kb-insert', text: t('kb_insert'),
      'aria-label': t('kb_insert_label')(candidate.question || candidate.id || ''), title: candidate.answer
    });
    button.addEventListener('click', function () { if (app.canned) app.canned.insert(candidate.answer); });
    return button;
  }

  function turnItem(turn) {
    var parts = [el('p', { class: 'turn-text', text: '«' + turn.text + '»' })];
    var intent = turn.intent
      ? turn.intent + ' (' + t('confidence') + ' ' + score(turn.confidence) + ')'
      : t('unknown');
    parts.push(el('p', { class: 'turn-intent' }, [el('span', { class: 'label', text: t('intent') + ': ' }), intent]));
    if (turn.entities && turn.entities.length) {
      parts.push(el('p', { class: 'turn-entities' }, [
        el('span', { class: 'label', text: t('entities') + ': ' }),
        turn.entities.map(function (e) { return e.entity + '=' + valueText(e.value); }).join(', ')
      ]));
    }
    var candidates = turn.kb && turn.kb.candidates ? turn.kb.candidates : [];
    if (candidates.length) {
      parts.push(el('p', { class: 'label', text: t('kb') + (turn.kb.decision ? ' (' + turn.kb.decision + ')' : '') }));
      parts.push(el('ol', { class: 'kb' }, candidates.map(function (c) {
        return el('li', {}, [
          el('span', { class: 'kb-q', text: c.question || c.id || '' }),
          ' ',
          el('span', { class: 'score', text: score(c.score) }),
          c.answer ? ' ' : null,
          c.answer ? insertButton(c) : null
        ]);
      })));
    }
    if (turn.bot_replies && turn.bot_replies.length) {
      parts.push(el('p', { class: 'turn-bot' }, [
        el('span', { class: 'label', text: t('bot_said') + ': ' }),
        turn.bot_replies.join(' / ')
      ]));
    }
    if (app.learning) parts.push(app.learning.turnLabels(turn)); // console-learning.js: the agent's label
    return el('li', { class: 'turn' }, parts);
  }

  function earlierItem(conv) {
    var status = t('conv_status')[conv.status] || conv.status;
    var summary = '#' + conv.conversation_id + ' · ' + conv.channel + ' · ' + status + ' · ' +
      t('messages_count')(conv.messages.length) + ' · ' + formatTime(conv.created_at, true);
    var lines = conv.messages.map(function (m) {
      return el('li', {}, [el('span', { class: 'label', text: app.whoOf(m) + ': ' }), m.text]);
    }).concat((conv.notes || []).map(function (n) {
      return el('li', { class: 'note-line' }, [el('span', { class: 'label', text: t('who').note + ': ' }), n.text]);
    }));
    return el('li', {}, [el('details', {}, [el('summary', { text: summary }), el('ol', { class: 'earlier-lines' }, lines)])]);
  }

  // Suggested links (issue 15, finding 2): another contact has the email/phone given here. Nothing was
  // merged; the agent confirms (the two contacts become one) or dismisses.
  function linkItem(link, conversationId) {
    var other = link.contact || {};
    var who = (other.name || '#' + other.id) + ' (#' + other.id + ', ' + (other.channels || []).join(', ') + ')';
    var what = (t('link_keys')[link.key] || link.key) + ' ' + link.value;
    var proven = other.id === link.other_contact_id && link.other_verified;
    var confirm = el('button', { type: 'button', class: 'btn btn-small btn-primary link-confirm', text: t('link_confirm') });
    var dismiss = el('button', { type: 'button', class: 'btn btn-small link-dismiss', text: t('link_dismiss') });
    function decide(action) {
      confirm.disabled = dismiss.disabled = true;
      app.actions.api('POST', '/conversations/' + conversationId + '/links/' + link.id + '/' + action)
        .then(app.actions.reload, function (err) {
          confirm.disabled = dismiss.disabled = false;
          app.actions.failed(err);
        });
    }
    confirm.addEventListener('click', function () { decide('confirm'); });
    dismiss.addEventListener('click', function () { decide('dismiss'); });
    return el('li', { class: 'link', 'data-link-id': link.id }, [
      el('p', { text: t('link_same')(who, what) }),
      el('p', { class: 'muted', text: proven ? t('link_verified') : t('link_unverified') }),
      el('p', { class: 'link-actions' }, [confirm, ' ', dismiss])
    ]);
  }

  function linksSection(ctx, conversationId) {
    var links = ctx.suggested_links || [];
    if (!links.length) return null;
    return section(t('links_title'), [el('ul', { class: 'links' }, links.map(function (link) {
      return linkItem(link, conversationId);
    }))], 'ctx-links');
  }

  // What to call the customer: their name, else the hub's display name ("Visitante web #7", a WhatsApp
  // number), a website visitor in the console's language.
  function customerName(ctx) {
    var contact = ctx.contact || {};
    if (contact.name) return contact.name;
    if (ctx.channel === 'widget') return t('web_visitor')(contact.id);
    return contact.display_name || '#' + contact.id;
  }
  app.customerName = customerName;

  // A queue line's customer, named as in the panel (GET /queue's customer_name, else a widget visitor's number).
  app.queueName = function (entry) {
    if (entry.customer_name) return entry.customer_name;
    if (entry.channel === 'widget' && entry.contact_id) return t('web_visitor')(entry.contact_id);
    return t('conversation')(entry.conversation_id);
  };

  // Renders the whole panel for the conversation being handled.
  function render(container, ctx, conversationId) {
    clear(container);
    var sentiment = ctx.sentiment || {};
    var contact = ctx.contact || {};
    var slots = Object.keys(ctx.slots || {}).map(function (k) { return [slotName(k), valueText(ctx.slots[k])]; });
    var earlier = (ctx.transcript || []).filter(function (c) { return c.conversation_id !== conversationId; });
    var turns = ctx.turns || [];
    [
      section(t('summary'), [el('p', { class: 'summary', text: ctx.summary || '–' })], 'ctx-summary'),
      handoffSection(ctx),
      section(t('sentiment_title'), [
        el('p', { class: 'sentiment sentiment-' + (sentiment.label || 'neutral') },
          [(t('sentiment')[sentiment.label] || '–') + ' (' + score(sentiment.score) + ')'])
      ], 'ctx-sentiment'),
      section(t('lang_channel'), [el('p', { text: (ctx.language || '?').toUpperCase() + ' · ' + ctx.channel })], 'ctx-lang'),
      section(t('contact'), [
        el('p', { text: customerName(ctx) }),
        el('ul', { class: 'identities', 'aria-label': t('identities') }, (contact.identities || []).map(function (i) {
          return el('li', { text: i.channel + ': ' + i.source_id + (i.verified === false ? ' (?)' : '') });
        }))
      ], 'ctx-contact'),
      linksSection(ctx, conversationId),
      section(t('slots'), [keyValues(slots, 'slots')], 'ctx-slots'),
      section(t('turns'), [turns.length ? el('ol', { class: 'turns' }, turns.map(turnItem))
        : el('p', { class: 'muted', text: t('none') })], 'ctx-turns'),
      section(t('earlier'), [earlier.length ? el('ul', { class: 'earlier' }, earlier.map(earlierItem))
        : el('p', { class: 'muted', text: t('no_earlier') })], 'ctx-earlier')
    ].forEach(function (node) { if (node) container.appendChild(node); });
  }

  // What the console's modules follow (app.on(name, fn), or push to app.hooks[name]): 'start' (the agent)
  // and 'stop' (log out), 'open' and 'close' (a conversation, {id, ...}), 'context' (its context was read:
  // ctx, conversation id), 'frame' (from the agent websocket), 'queue' (the lists were drawn).
  var hooks = app.hooks = app.hooks || {};
  app.on = function (name, fn) { (hooks[name] = hooks[name] || []).push(fn); };
  app.emit = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    (hooks[name] || []).forEach(function (fn) {
      try { fn.apply(null, args); } catch (e) { window.console.error(e); }
    });
  };

  app.dom = { el: el, clear: clear, parseTime: parseTime, formatTime: formatTime };
  app.context = { render: render };
})();
