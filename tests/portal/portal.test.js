// portal.test.js: the leak portal's flows in headless Chromium, driven by
// playwright-core, against the contract in src/portal/ROUTES.md.
//
// Started by run.sh, which has built the index from dumps/, started the
// portal, the SMTP sink and (through this script) dnsmasq, and passes:
//   BASE_URL       the portal, http://127.0.0.1:PORT
//   SINK_DIR       where smtp-sink stores each mail as a file
//   DNS_PORT       the port dnsmasq answers on (the portal's dns_resolver)
//   DNS_PIDFILE    where this script records the pid of the dnsmasq it runs
//   ARTIFACTS      the folder for screenshots and the downloaded CSV
//   CHROMIUM       the browser (Debian's /usr/bin/chromium)
//   LG_BIN, LG_DB  leakguard and its store, for `lookup` to compare with
//   WORK           run.sh's work folder (lookup-DOMAIN.json, sources.json)
//   WEB_ROOT, WEB_PORT  the web server behind the portal's web_verify_url
//   OPERATOR, OPERATOR_PASS, RATE_MAIL, RATE_RANGE  as configured
//   RANGE_KEY      an API key from `serve --add-range-key` for the range steps
//   HOSTILE_SOURCE the name of a third leak: markup, to be shown as text
//
// Each browser context is one client: the portal trusts 127.0.0.1 as a
// proxy, so the X-Forwarded-For header each context sends is its client
// address for the rate limits and the audit log.
//
// Prints "ok: NAME" or "FAIL: NAME" (with indented details) per check; exit
// status 1 when any failed. Waits are for conditions (a navigation, a file
// in the sink, a DNS answer), never fixed sleeps.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const dns = require('dns');
const { spawn, execFileSync } = require('child_process');
const { chromium, request: http } = require('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`portal.test.js: ${name} is not set (start it through run.sh)`);
  return v;
};
const BASE = env('BASE_URL');
const SINK_DIR = env('SINK_DIR');
const DNS_PORT = Number(env('DNS_PORT'));
const DNS_PIDFILE = env('DNS_PIDFILE');
const ARTIFACTS = env('ARTIFACTS');
const CHROMIUM = env('CHROMIUM');
const LG_BIN = env('LG_BIN');
const LG_DB = env('LG_DB');
const WORK = env('WORK');
const OPERATOR = env('OPERATOR');
const OPERATOR_PASS = env('OPERATOR_PASS');
const RATE_MAIL = Number(env('RATE_MAIL'));
const RATE_RANGE = Number(env('RATE_RANGE'));
const HOSTILE_SOURCE = env('HOSTILE_SOURCE'); // a leak named with markup
const HOSTILE_NAME = '<img src=x onerror="document.title=\'XSS\'">'; // an operator name tried at the login
const WEB_ROOT = env('WEB_ROOT');
const WEB_PORT = Number(env('WEB_PORT'));
const RANGE_KEY = env('RANGE_KEY'); // from `serve --add-range-key` (range_access = key)

const ORG = 'example-victim.test';        // in both leaks, verified by DNS
const MAIL_ORG = 'other-company.test';    // in one leak, verified by mail
const PARTNER = 'partner-supplier.test';  // in one leak, wrong TXT token, verified by a web file
const ABSENT = 'absent-org.test';         // in no leak, wrong TXT token
const PERSON = 'alice@example-victim.test'; // in both leaks
const SOURCES = { 'bluebleed-2022': '2022-09-24', 'partner-crm-2023': '2023-03-15' };
const KINDS = ['email addresses', 'phone numbers', 'names', 'organisations',
  'email content', 'documents', 'passwords'];
const TIMEOUT = 30000; // generous: the portal may run under ASan

// Client addresses (X-Forwarded-For), one per role.
const IP = {
  person: '198.51.100.10', personPhone: '198.51.100.11', admin: '198.51.100.20',
  webAdmin: '198.51.100.25', mailAdmin: '198.51.100.30', stranger: '198.51.100.40', wrongToken: '198.51.100.41',
  csrf: '198.51.100.50', flood: '198.51.100.60', bystander: '198.51.100.61',
  range: '198.51.100.62', rangeNoKey: '198.51.100.63', operator: '198.51.100.70', phone: '198.51.100.80',
};

// ------------------------------------------------------------ reporting
let failures = 0;
let lastPage = null; // the page most recently opened or navigated, for failure screenshots
const problems = []; // CSP violations and script errors seen in any page

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${name}\n`);
    console.log(`ok: ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL: ${name}`);
    // The page the failed check was looking at, kept beside the others.
    if (lastPage && !lastPage.isClosed()) {
      const slug = name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60);
      await lastPage.screenshot({ path: path.join(ARTIFACTS, `FAIL-${slug}.png`), fullPage: true }).catch(() => {});
    }
    const msg = (e && e.stack && !(e instanceof Check) ? e.stack : String(e && e.message || e));
    console.log(msg.split('\n').slice(0, 12).map((l) => `    ${l}`).join('\n'));
  }
}

class Check extends Error {}
function assert(cond, msg) {
  if (!cond) throw new Check(msg);
}
function eq(actual, expected, what) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a === e) return;
  if (a.length + e.length < 400) throw new Check(`${what}: got ${a}, expected ${e}`);
  // Long texts (whole pages): where they part, with some context.
  let i = 0;
  while (i < a.length && a[i] === e[i]) i++;
  const from = Math.max(0, i - 80);
  throw new Check(`${what}: differ at character ${i}:\n  got      ...${a.slice(from, i + 120)}...\n  expected ...${e.slice(from, i + 120)}...`);
}
function need(value, what) {
  if (value === undefined || value === null || value === '') throw new Check(`not run: needs ${what}, which an earlier check failed to get`);
  return value;
}

// ------------------------------------------------------------- browser
let browser;

async function client(ip, options = {}) {
  const context = await browser.newContext({
    extraHTTPHeaders: { 'X-Forwarded-For': ip },
    acceptDownloads: true,
    ...options,
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) lastPage = page;
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: script error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`${page.url()}: a script opened a ${d.type()} dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return { context, page, request: context.request };
}

// shot(page, name): a screenshot to keep, and a look at the page as a
// screen reader or keyboard user meets it (reported by the last check).
const a11yProblems = [];
// apiClient(ip): a plain HTTP client (cookies, no browser) for checks that
// need no page.
async function apiClient(ip, headers = {}) {
  const c = await http.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': ip, ...headers }, timeout: TIMEOUT });
  apiContexts.push(c);
  return c;
}
const apiContexts = [];

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const found = await page.evaluate(() => {
    const out = [];
    const visible = (el) => el.getClientRects().length > 0;
    if (!document.documentElement.lang) out.push('no lang on <html>');
    if (!document.querySelector('h1')) out.push('no <h1>');
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || !visible(el)) continue;
      const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label') ||
        el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) out.push(`<${el.tagName.toLowerCase()} name="${el.name}"> has no label`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (visible(el) && !(el.textContent.trim() || el.getAttribute('aria-label'))) out.push(`a ${el.tagName.toLowerCase()} without a name`);
    }
    for (const el of document.querySelectorAll('img')) if (!el.hasAttribute('alt')) out.push('an <img> without alt');
    return out;
  });
  for (const f of found) a11yProblems.push(`${name} (${page.url()}): ${f}`);
}

// submit(page, action): runs action (a click, a key press) and returns the
// final response of the navigation it starts.
async function submit(page, action) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  assert(resp, 'the form submission led to no response');
  return resp;
}

// tabTo(page, id): presses Tab until the element with that id has the
// focus (at most 20 times).
async function tabTo(page, id) {
  const seen = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
    if (at === id) return;
    seen.push(at);
  }
  throw new Check(`Tab never reaches #${id}; it visits ${seen.join(', ')}`);
}

// The status of the response that redirected to resp (303 expected), or null.
async function redirectStatus(resp) {
  const from = resp.request().redirectedFrom();
  if (!from) return null;
  const r = await from.response();
  return r ? r.status() : null;
}

const text = async (page, sel) => ((await page.locator(sel).first().textContent()) || '').trim();

// A page's HTML without what is meant to differ per request (CSRF values),
// with the named domains and addresses replaced by placeholders, so two
// answers can be compared for "the same page".
function normalise(html, names = []) {
  let out = html.replace(/<input[^>]*name="csrf"[^>]*>/g, '<input csrf>');
  for (const n of names) out = out.split(n).join('NAME');
  return out;
}

// --------------------------------------------------------- mail (sink)
// waitMail(rcpt, subject, linkRe): the first mail in SINK_DIR for rcpt
// whose Subject contains subject, once it holds a line matching linkRe
// (the link on a line of its own); returns { text, link }.
async function waitMail(rcpt, subject, linkRe, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of fs.readdirSync(SINK_DIR).sort()) {
      let t;
      try {
        t = fs.readFileSync(path.join(SINK_DIR, f), 'latin1');
      } catch (e) {
        continue;
      }
      const head = t.split(/\r?\n\r?\n/)[0];
      const rcpts = [...head.matchAll(/^X-Rcpt-Args: <([^>]*)>/gmi)].map((m) => m[1].toLowerCase());
      if (!rcpts.includes(rcpt.toLowerCase())) continue;
      const subj = (head.match(/^Subject: (.*(?:\r?\n[ \t].*)*)/mi) || [])[1] || '';
      if (!subj.replace(/\r?\n[ \t]+/g, ' ').includes(subject)) continue;
      // Quoted-printable soft line breaks, should the portal encode its text so.
      const body = /^Content-Transfer-Encoding:\s*quoted-printable/mi.test(t)
        ? t.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
        : t;
      const m = body.match(linkRe);
      if (m) return { text: body, link: m[1], file: f };
    }
    if (Date.now() > deadline) {
      throw new Check(`no mail to ${rcpt} with subject "${subject}" and a line matching ${linkRe} in the sink within ${timeout / 1000} s; ` +
        `the sink holds ${fs.readdirSync(SINK_DIR).length} mail(s)`);
    }
    await new Promise((r) => setTimeout(r, 100)); // poll interval, not a synchronisation
  }
}

// ---------------------------------------------------------- dnsmasq
let dnsChild = null;
const baseRecords = [];

async function stopDns() {
  if (!dnsChild) return;
  const child = dnsChild;
  dnsChild = null;
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  fs.writeFileSync(DNS_PIDFILE, '');
}

// startDns(records): (re)starts dnsmasq on DNS_PORT answering the TXT
// records [[name, value], ...] and NXDOMAIN for other names under .test;
// returns once it answers the last record.
async function startDns(records) {
  await stopDns();
  const args = ['--keep-in-foreground', `--port=${DNS_PORT}`, '--listen-address=127.0.0.1',
    '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=', '--log-facility=-',
    '--local=/test/'];
  for (const [name, value] of records) args.push(`--txt-record=${name},${value}`);
  const log = fs.openSync(path.join(WORK, 'dnsmasq.log'), 'a');
  const child = spawn('dnsmasq', args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  dnsChild = child;
  fs.writeFileSync(DNS_PIDFILE, String(child.pid));
  const resolver = new dns.promises.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`127.0.0.1:${DNS_PORT}`]);
  const [name, value] = records[records.length - 1];
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Check(`dnsmasq exited with status ${child.exitCode} (see dnsmasq.log)`);
    try {
      const answers = await resolver.resolveTxt(name);
      if (answers.some((a) => a.join('') === value)) return;
    } catch (e) { /* not answering yet */ }
    if (Date.now() > deadline) throw new Check(`dnsmasq does not answer TXT ${name} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ------------------------------------------------------------ helpers
const lookupJson = (domain) => JSON.parse(fs.readFileSync(path.join(WORK, `lookup-${domain}.json`), 'utf8'));
const randomToken = () => crypto.randomBytes(32).toString('base64url'); // 43 characters

// Starts a domain challenge in page; returns { id, url, dnsName, dnsValue, token }.
async function startChallenge(page, domain) {
  await page.goto(`${BASE}/domain`);
  await page.fill('#domain', domain);
  const resp = await submit(page, () => page.click('#domain-submit'));
  eq(resp.status(), 200, `status of the verify page for ${domain}`);
  eq(await redirectStatus(resp), 303, `status of POST /domain for ${domain}`);
  const m = page.url().match(/\/verify\/([^/?#]+)$/);
  assert(m, `POST /domain for ${domain} led to ${page.url()}, not /verify/ID`);
  const dnsName = await text(page, '#dns-name');
  const dnsValue = await text(page, '#dns-value');
  const vm = dnsValue.match(/^leakguard-verification=(\S+)$/);
  assert(vm, `#dns-value is "${dnsValue}", not leakguard-verification=TOKEN`);
  return { id: m[1], url: page.url(), dnsName, dnsValue, token: vm[1] };
}

// The dashboard's rows: { NAME: { date, email, phone, ... } }.
async function dashboardRows(page) {
  return page.$$eval('#dashboard-sources tr.source', (trs) => {
    const num = (tr, c) => {
      const td = tr.querySelector(`.${c}`);
      return td ? Number(td.textContent.replace(/[^0-9]/g, '') || 'NaN') : null;
    };
    const out = {};
    for (const tr of trs) {
      out[tr.dataset.source] = {
        name: (tr.querySelector('.source-name') || {}).textContent?.trim(),
        date: (tr.querySelector('.source-date') || {}).textContent?.trim(),
        email: num(tr, 'count-email'), phone: num(tr, 'count-phone'), name_count: num(tr, 'count-name'),
        org: num(tr, 'count-org'), documents: num(tr, 'count-documents'),
        occurrences: num(tr, 'count-occurrences'), password: num(tr, 'count-password'),
      };
    }
    return out;
  });
}

// Files of the fixture leaks holding each domain's data (count-documents):
// bluebleed-2022 is crm-contacts.csv, contract-mail.eml and the DOCX;
// partner-crm-2023 is users.jsonl and combo.txt.
const FILES = {
  'example-victim.test': { 'bluebleed-2022': 3, 'partner-crm-2023': 2 },
  'other-company.test': { 'bluebleed-2022': 3, 'partner-crm-2023': 1 },
  'partner-supplier.test': { 'bluebleed-2022': 1 },
};

function compareWithLookup(rows, domain) {
  const lk = lookupJson(domain);
  const expected = {};
  for (const s of lk.sources || []) {
    expected[s.name] = {
      name: s.name, date: s.date || '', email: s.counts.email || 0, phone: s.counts.phone || 0,
      name_count: s.counts.name || 0, org: s.counts.organisation || 0,
      occurrences: s.occurrences, password: s.with_password || 0,
    };
  }
  eq(Object.keys(rows).sort(), Object.keys(expected).sort(), `${domain}: the dashboard's sources`);
  for (const [name, e] of Object.entries(expected)) {
    const { documents, ...got } = rows[name];
    eq(got, e, `${domain}, source ${name}: dashboard row vs lookup --json --domain`);
    eq(documents, FILES[domain][name], `${domain}, source ${name}: count-documents (files holding its data)`);
  }
}

// --------------------------------------------------------------- flows
async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No network beyond loopback here: nothing in the background, please.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-extensions', '--mute-audio', '--no-default-browser-check',
      '--disable-features=Translate,OptimizationHints,MediaRouter'],
  });

  // Wrong tokens published for a leaked and an absent domain.
  baseRecords.push([`_leakguard.${PARTNER}`, `leakguard-verification=${randomToken()}`]);
  baseRecords.push([`_leakguard.${ABSENT}`, `leakguard-verification=${randomToken()}`]);
  await step('dnsmasq answers TXT records on 127.0.0.1', () => startDns(baseRecords));

  const s = {}; // what later checks need from earlier ones

  // 1. An address check and its mailed link --------------------------------
  const person = await client(IP.person);
  const stranger = await client(IP.stranger);
  await step('home page: labelled address form with a CSRF field, links for organisations and operators', async () => {
    const resp = await person.page.goto(`${BASE}/`);
    eq(resp.status(), 200, 'GET / status');
    const h = resp.headers();
    assert(/script-src 'self'/.test(h['content-security-policy'] || '') && /default-src 'none'/.test(h['content-security-policy']),
      `Content-Security-Policy is "${h['content-security-policy']}"`);
    eq(h['x-frame-options'], 'DENY', 'X-Frame-Options');
    eq(h['x-content-type-options'], 'nosniff', 'X-Content-Type-Options');
    eq(await person.page.locator('label[for="email"]').count(), 1, 'labels for #email');
    eq(await person.page.getAttribute('#email', 'type'), 'email', '#email type');
    const csrf = await person.page.getAttribute('#check-form input[name="csrf"]', 'value');
    assert(csrf && csrf.length >= 16, `#check-form's csrf field is "${csrf}"`);
    eq((await text(person.page, '#check-submit')), 'Check my address', '#check-submit label');
    assert(await person.page.locator('a[href="/domain"]').count() > 0, 'no link to /domain');
    assert(await person.page.locator('a[href="/operator/login"]').count() > 0, 'no link to /operator/login');
    const cookies = await person.context.cookies();
    const c = cookies.find((k) => k.name === 'lg_csrf');
    assert(c, `no lg_csrf cookie (cookies: ${cookies.map((k) => k.name).join(', ')})`);
    assert(c.httpOnly && c.sameSite === 'Strict', `lg_csrf is httpOnly=${c.httpOnly} sameSite=${c.sameSite}`);
    await shot(person.page, '01-home');
  });

  await step('home page fits a phone screen (no sideways scrolling)', async () => {
    const phone = await client(IP.phone, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await phone.page.goto(`${BASE}/`);
    // Without a device-width viewport a phone lays the page out 980 px wide.
    const { sw, w, meta } = await phone.page.evaluate(() => ({
      sw: document.documentElement.scrollWidth, w: window.innerWidth,
      meta: (document.querySelector('meta[name="viewport"]') || {}).content || '',
    }));
    assert(/width=device-width/.test(meta), `meta viewport is "${meta}"`);
    eq(w, 360, 'layout width on a 360 px phone');
    assert(sw <= w, `the page is ${sw} px wide on a ${w} px screen`);
    const box = await phone.page.locator('#check-submit').boundingBox();
    assert(box && box.height >= 24 && box.x + box.width <= w, `#check-submit on the phone: ${JSON.stringify(box)}`);
    await shot(phone.page, '01-home-phone');
  });

  // The unknown address goes first: the portal mails from one queue in
  // order, so once the leaked address's mail is in the sink, the unknown
  // one's would be too.
  const UNKNOWN = `nobody@${ABSENT}`;
  await step('address check: the same answer for a leaked and an unknown address (one entered by keyboard alone)', async () => {
    const p = person.page;
    const answers = [];
    for (const [address, how] of [[UNKNOWN, 'click'], [PERSON, 'keyboard']]) {
      await p.goto(`${BASE}/`);
      let r;
      if (how === 'keyboard') {
        // Tab from the top of the page to the field, type, Tab to the
        // button, which shows where the focus is, and press Enter.
        await tabTo(p, 'email');
        await p.keyboard.type(address);
        await tabTo(p, 'check-submit');
        const outline = await p.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert(outline && outline !== 'none', `the focused button shows no outline (outline-style ${outline})`);
        r = await submit(p, () => p.keyboard.press('Enter'));
      } else {
        await p.fill('#email', address);
        r = await submit(p, () => p.click('#check-submit'));
      }
      eq(r.status(), 200, `status for ${address}`);
      answers.push({ sent: await text(p, '#check-sent'), body: normalise(await p.content(), [address]) });
    }
    await shot(p, '02-check-sent');
    const t = answers[1].sent;
    assert(t.startsWith('If this address is in our data, we have sent it a link.'), `#check-sent says "${t}"`);
    assert(/24 hours/.test(t), `#check-sent does not name the 24 hours of link_ttl: "${t}"`);
    eq(answers[0].sent, t, '#check-sent for the unknown address vs the leaked one');
    eq(answers[0].body, answers[1].body, 'the whole page (CSRF values and the address aside) for the unknown address vs the leaked one');
  });

  await step('the mailed result link reaches the address (SMTP sink); an address in no leak gets no mail', async () => {
    const re = new RegExp(`^(${BASE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/r/[A-Za-z0-9_-]{43})\\r?\\n`, 'm'); // a whole line: the file may still be being written
    const m = await waitMail(PERSON, 'Your leakguard result', re);
    s.resultLink = m.link;
    fs.copyFileSync(path.join(SINK_DIR, m.file), path.join(ARTIFACTS, 'mail-result.eml'));
    const strays = fs.readdirSync(SINK_DIR).filter((f) => new RegExp(`^X-Rcpt-Args: <${UNKNOWN}>`, 'mi')
      .test(fs.readFileSync(path.join(SINK_DIR, f), 'latin1').split(/\r?\n\r?\n/)[0]));
    eq(strays.length, 0, `mails to ${UNKNOWN} (in no leak), checked before ${PERSON}`);
  });

  await step('the mailed link, opened on another device, shows the sources and kinds of data', async () => {
    const link = need(s.resultLink, 'the mailed result link');
    const phone = await client(IP.personPhone);
    const first = await phone.page.goto(link);
    eq(first.status(), 200, 'status of the page with the button (a GET uses nothing up)');
    const [resp] = await Promise.all([phone.page.waitForNavigation(), phone.page.click('#result-open')]);
    eq(resp.status(), 200, 'status of the result page');
    const title = await text(phone.page, '#result-title');
    assert(title.includes(PERSON), `#result-title "${title}" does not name ${PERSON}`);
    const rows = await phone.page.$$eval('#sources tr.source', (trs) => trs.map((tr) => ({
      name: tr.querySelector('.source-name')?.textContent.trim(),
      date: tr.querySelector('.source-date')?.textContent.trim(),
      kinds: tr.querySelector('.source-kinds')?.textContent.split(',').map((k) => k.trim()).filter(Boolean),
    })));
    s.resultKinds = Object.fromEntries(rows.map((r) => [r.name, r.kinds || []]));
    eq(rows.map((r) => r.name).sort(), Object.keys(SOURCES).sort(), 'sources on the result page');
    for (const r of rows) {
      eq(r.date, SOURCES[r.name], `date of ${r.name}`);
      assert(r.kinds && r.kinds.includes('email addresses'), `${r.name}: kinds "${r.kinds}" lack "email addresses"`);
      const odd = r.kinds.filter((k) => !KINDS.includes(k));
      assert(odd.length === 0, `${r.name}: kinds outside the contract's list: ${odd.join(', ')}`);
    }
    const advice = await text(phone.page, '#advice');
    assert(advice.length > 40, `#advice is "${advice}"`);
    await shot(phone.page, '03-address-result');
  });

  // What the fixtures hold with alice's own records: in bluebleed-2022 her
  // CSV row (name, phone, password) and a mail she sent; in
  // partner-crm-2023 a JSON record (name, company) and a combo line
  // (password), but no phone: Fiona's and Gustav's phones sit in the
  // neighbouring lines of the same file. Organisations may or may not be
  // named (the contract lists them as a kind; her records hold her company).
  await step('the result page names the kinds of data in the address\'s own records, and no others', async () => {
    const kinds = need(s.resultKinds, 'the result page');
    const want = {
      'bluebleed-2022': ['email addresses', 'names', 'phone numbers', 'email content', 'passwords'],
      'partner-crm-2023': ['email addresses', 'names', 'passwords'],
    };
    for (const [src, w] of Object.entries(want)) {
      eq((kinds[src] || []).filter((k) => k !== 'organisations').sort(), [...w].sort(), `kinds of ${src}`);
    }
  });

  await step('a wrong or made-up result token shows nothing (404, one page for all)', async () => {
    const link = need(s.resultLink, 'the mailed result link');
    const last = link.slice(-1);
    const tampered = link.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    const bodies = [];
    for (const u of [tampered, `${BASE}/r/${randomToken()}`, `${BASE}/r/short`]) {
      const resp = await stranger.page.goto(u);
      eq(resp.status(), 404, `status of ${u}`);
      const body = await stranger.page.content();
      assert(!body.includes(PERSON) && !body.includes('bluebleed'), `${u} shows something of the address`);
      bodies.push(normalise(body, [u.split('/r/')[1]]));
    }
    eq(bodies[1], bodies[0], 'the page for a never-issued token vs a tampered one');
    await shot(stranger.page, '04-wrong-result-token');
  });

  // 2a. A domain verified by DNS TXT ---------------------------------------
  const admin = await client(IP.admin);
  await step(`domain form starts a challenge for ${ORG} (303 to /verify/ID, TXT name and value shown)`, async () => {
    const c = await startChallenge(admin.page, ORG);
    eq(c.dnsName, `_leakguard.${ORG}`, '#dns-name');
    assert(c.token.length >= 16, `token "${c.token}" is short`);
    eq(await text(admin.page, '#web-value'), c.token, '#web-value (the same token)');
    eq(await admin.page.locator('#mailbox option').evaluateAll((os) => os.map((o) => o.value)),
      ['postmaster', 'security', 'admin'], '#mailbox options');
    s.challenge = c;
    await shot(admin.page, '05-verify-domain');
  });

  await step('the Copy button puts the TXT value on the clipboard (portal.js)', async () => {
    const c = need(s.challenge, 'the challenge');
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    const button = admin.page.locator('button.copy[data-copy="dns-value"]');
    await button.click();
    await admin.page.waitForFunction(() => document.querySelector('button.copy[data-copy="dns-value"]').textContent === 'Copied');
    eq(await admin.page.evaluate(() => navigator.clipboard.readText()), c.dnsValue, 'the clipboard');
  });

  await step('before the TXT record exists, the DNS check fails and the dashboard stays closed', async () => {
    const c = need(s.challenge, 'the challenge');
    await admin.page.goto(c.url);
    const resp = await submit(admin.page, () => admin.page.click('#dns-submit'));
    eq(resp.status(), 200, 'status after a failed DNS check');
    eq(await admin.page.locator('#dns-form').count(), 1, 'the verify page (#dns-form) after a failed DNS check');
    assert(admin.page.url().startsWith(c.url), `page after a failed DNS check: ${admin.page.url()}`);
    const st = await text(admin.page, '#verify-status');
    assert(st.length > 0, '#verify-status is empty after a failed check');
    const d = await admin.request.get(`${BASE}/dashboard/${ORG}`, { maxRedirects: 0 });
    eq(d.status(), 403, 'dashboard status before verification');
  });

  await step('another browser cannot open the challenge (404)', async () => {
    const c = need(s.challenge, 'the challenge');
    const other = stranger;
    const resp = await other.page.goto(c.url);
    eq(resp.status(), 404, `status of ${c.url} in another browser`);
    assert(!(await other.page.content()).includes(c.token), 'the token shows in another browser');
  });

  await step(`the TXT record with the token verifies ${ORG} (303 to its dashboard)`, async () => {
    const c = need(s.challenge, 'the challenge');
    await startDns([...baseRecords, [c.dnsName, c.dnsValue]]);
    await admin.page.goto(c.url);
    const resp = await submit(admin.page, () => admin.page.click('#dns-submit'));
    eq(await redirectStatus(resp), 303, 'status of the successful DNS check');
    eq(admin.page.url(), `${BASE}/dashboard/${ORG}`, 'page after the DNS check');
    eq(resp.status(), 200, 'dashboard status');
    const title = await text(admin.page, '#dashboard-title');
    assert(title.includes(ORG), `#dashboard-title "${title}" does not name ${ORG}`);
    s.orgVerified = true;
    await shot(admin.page, '06-dashboard-dns-verified');
  });

  // 3. The dashboard's counts against the command line ----------------------
  await step(`dashboard counts for ${ORG} equal leakguard lookup --json --domain`, async () => {
    need(s.orgVerified, `${ORG} verified`);
    await admin.page.goto(`${BASE}/dashboard/${ORG}`);
    const rows = await dashboardRows(admin.page);
    compareWithLookup(rows, ORG);
    const actions = await text(admin.page, '#actions');
    assert(actions.length > 40, `#actions is "${actions}"`);
  });

  // 4. The CSV download ------------------------------------------------------
  await step(`CSV download of ${ORG}'s addresses: name, header, one line per (address, leak), sorted`, async () => {
    need(s.orgVerified, `${ORG} verified`);
    const p = admin.page;
    await p.goto(`${BASE}/dashboard/${ORG}`);
    eq(await p.getAttribute('#csv-link', 'href'), `/dashboard/${ORG}/addresses.csv`, '#csv-link href');
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('#csv-link')]);
    eq(download.suggestedFilename(), `${ORG}-addresses.csv`, 'file name');
    const file = path.join(ARTIFACTS, `${ORG}-addresses.csv`);
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/); // RFC 4180 ends lines with CRLF
    if (lines[lines.length - 1] === '') lines.pop();
    eq(lines[0], 'address,source,date', 'header line');
    const body = lines.slice(1);
    assert(body.length > 0, 'no addresses in the CSV');
    eq([...body].sort(), body, 'the lines, sorted');
    eq(new Set(body).size, body.length, 'distinct lines');
    const perSource = {};
    for (const l of body) {
      assert(!/^[=+\-@]/.test(l), `line "${l}" starts like a spreadsheet formula`);
      const [address, source, date, ...rest] = l.split(',');
      eq(rest.length, 0, `cells in "${l}"`);
      assert(new RegExp(`@([a-z0-9-]+\\.)*${ORG.replace('.', '\\.')}$`).test(address), `"${address}" is not at ${ORG}`);
      eq(date, SOURCES[source], `date of ${source} in "${l}"`);
      (perSource[source] = perSource[source] || []).push(address);
    }
    // Per leak, as many addresses as lookup --domain counts, and each one
    // found by lookup in that leak.
    const lk = lookupJson(ORG);
    for (const src of lk.sources) {
      eq((perSource[src.name] || []).length, src.counts.email, `addresses of ${src.name} in the CSV vs lookup's counts.email`);
    }
    const all = [...new Set(body.map((l) => l.split(',')[0]))];
    let out = '';
    try {
      out = execFileSync(LG_BIN, ['lookup', '--db', LG_DB, '--json', ...all.map((a) => ['--email', a]).flat()], { encoding: 'utf8' });
    } catch (e) {
      out = e.stdout || ''; // exit status 1: found
    }
    const found = {};
    for (const line of out.split('\n').filter(Boolean)) {
      const o = JSON.parse(line);
      found[o.normalized] = (o.sources || []).map((x) => x.name);
    }
    for (const l of body) {
      const [address, source] = l.split(',');
      assert((found[address] || []).includes(source), `lookup does not find ${address} in ${source}`);
    }
    assert((perSource['bluebleed-2022'] || []).includes(PERSON) && (perSource['partner-crm-2023'] || []).includes(PERSON),
      `${PERSON} is not listed for both leaks`);
    const h = await admin.request.get(`${BASE}/dashboard/${ORG}/addresses.csv`);
    eq(h.status(), 200, 'CSV status');
    assert(/^text\/csv/.test(h.headers()['content-type'] || ''), `Content-Type "${h.headers()['content-type']}"`);
    eq(h.headers()['content-disposition'], `attachment; filename="${ORG}-addresses.csv"`, 'Content-Disposition');
  });

  await step(`API key from the dashboard: the JSON equals lookup for ${ORG}, 403 for other domains leaked or not`, async () => {
    need(s.orgVerified, `${ORG} verified`);
    const p = admin.page;
    await p.goto(`${BASE}/dashboard/${ORG}`);
    const resp = await submit(p, () => p.click('#apikey-submit'));
    eq(resp.status(), 200, 'status of the API key page');
    const key = await text(p, '#apikey');
    assert(/^lgk_[A-Za-z0-9_-]{16,}$/.test(key), `#apikey is "${key}"`);
    await shot(p, '07-apikey');
    // A client without the browser's cookies.
    const api = await apiClient(IP.admin);
    const auth = { Authorization: `Bearer ${key}` };
    const r = await api.get(`${BASE}/api/v1/domain/${ORG}`, { headers: auth });
    eq(r.status(), 200, 'API status with the key');
    const j = await r.json();
    eq(j.domain, ORG, 'API domain');
    const got = {};
    for (const src of j.sources) {
      got[src.name] = { date: src.date || '', email: src.counts.email || 0, phone: src.counts.phone || 0,
        name: src.counts.name || 0, organisation: src.counts.organisation || 0,
        occurrences: src.occurrences, with_password: src.with_password || 0 };
    }
    const want = {};
    for (const src of lookupJson(ORG).sources) {
      want[src.name] = { date: src.date || '', email: src.counts.email || 0, phone: src.counts.phone || 0,
        name: src.counts.name || 0, organisation: src.counts.organisation || 0,
        occurrences: src.occurrences, with_password: src.with_password || 0 };
    }
    eq(got, want, 'API counts vs lookup --json --domain');
    const a = await api.get(`${BASE}/api/v1/domain/${ORG}/addresses`, { headers: auth });
    eq(a.status(), 200, 'API addresses status');
    const addrs = (await a.json()).addresses.map((x) => x.address);
    assert(addrs.includes(PERSON), `the API's addresses lack ${PERSON}`);
    const other = [];
    for (const d of [MAIL_ORG, ABSENT]) {
      const o = await api.get(`${BASE}/api/v1/domain/${d}`, { headers: auth });
      eq(o.status(), 403, `API status for ${d} with ${ORG}'s key`);
      other.push(normalise(await o.text(), [d]));
    }
    eq(other[1], other[0], `the API answer for ${ABSENT} vs ${MAIL_ORG} with ${ORG}'s key`);
  });

  await step('log out ends the session: the dashboard is closed again', async () => {
    need(s.orgVerified, `${ORG} verified`);
    const p = admin.page;
    await p.goto(`${BASE}/dashboard/${ORG}`);
    const resp = await submit(p, () => p.click('form[action="/logout"] button[type="submit"]'));
    eq(await redirectStatus(resp), 303, 'status of POST /logout');
    eq(p.url(), `${BASE}/`, 'page after logging out');
    const d = await admin.request.get(`${BASE}/dashboard/${ORG}`, { maxRedirects: 0 });
    eq(d.status(), 403, 'dashboard status after logging out');
  });

  // 2b. A domain verified by a link mailed to postmaster@ -------------------
  const mailAdmin = await client(IP.mailAdmin);
  await step(`${MAIL_ORG}: the verification link is mailed to postmaster@`, async () => {
    const c = await startChallenge(mailAdmin.page, MAIL_ORG);
    await mailAdmin.page.selectOption('#mailbox', 'postmaster');
    const resp = await submit(mailAdmin.page, () => mailAdmin.page.click('#mail-submit'));
    eq(resp.status(), 200, 'status after asking for the mail');
    const st = await text(mailAdmin.page, '#verify-status');
    assert(st.includes(`We sent a link to postmaster@${MAIL_ORG}`), `#verify-status says "${st}"`);
    await shot(mailAdmin.page, '08-verify-mail-sent');
    const re = new RegExp(`^(${BASE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/confirm/[A-Za-z0-9_-]+)\\r?\\n`, 'm'); // a whole line: the file may still be being written
    const m = await waitMail(`postmaster@${MAIL_ORG}`, `Confirm leakguard access for ${MAIL_ORG}`, re);
    s.confirmLink = m.link;
    fs.copyFileSync(path.join(SINK_DIR, m.file), path.join(ARTIFACTS, 'mail-confirm.eml'));
  });

  await step('opening the mailed link alone verifies nothing; a wrong confirm token is 404', async () => {
    const link = need(s.confirmLink, 'the mailed confirm link');
    const resp = await mailAdmin.page.goto(link);
    eq(resp.status(), 200, 'status of the confirm page');
    eq(await mailAdmin.page.locator('#confirm-form #confirm-submit').count(), 1, 'the confirm button');
    const d = await mailAdmin.request.get(`${BASE}/dashboard/${MAIL_ORG}`, { maxRedirects: 0 });
    eq(d.status(), 403, 'dashboard status after only opening the link');
    const bad = await mailAdmin.request.get(`${BASE}/confirm/${randomToken()}`, { maxRedirects: 0 });
    eq(bad.status(), 404, 'status of a made-up confirm token');
  });

  await step(`the confirm button verifies ${MAIL_ORG} (303 to its dashboard), counts equal lookup`, async () => {
    const link = need(s.confirmLink, 'the mailed confirm link');
    await mailAdmin.page.goto(link);
    const resp = await submit(mailAdmin.page, () => mailAdmin.page.click('#confirm-submit'));
    eq(await redirectStatus(resp), 303, 'status of the confirmation');
    eq(mailAdmin.page.url(), `${BASE}/dashboard/${MAIL_ORG}`, 'page after the confirmation');
    compareWithLookup(await dashboardRows(mailAdmin.page), MAIL_ORG);
    await shot(mailAdmin.page, '09-dashboard-mail-verified');
    // Verified for other-company.test only.
    const d = await mailAdmin.request.get(`${BASE}/dashboard/${ORG}`, { maxRedirects: 0 });
    eq(d.status(), 403, `${ORG}'s dashboard for the ${MAIL_ORG} administrator`);
  });

  // 5. Strangers and wrong tokens see nothing -------------------------------
  await step('an unverified browser gets the same 403 page for a leaked and an absent domain', async () => {
    const pages = {};
    for (const d of [ORG, ABSENT]) {
      const resp = await stranger.page.goto(`${BASE}/dashboard/${d}`);
      eq(resp.status(), 403, `dashboard status of ${d} for a stranger`);
      pages[d] = normalise(await stranger.page.content(), [d]);
      assert(!pages[d].includes('bluebleed') && !pages[d].includes('dashboard-sources'), `the 403 page of ${d} shows data`);
      if (d === ORG) await shot(stranger.page, '10-stranger-403');
    }
    eq(pages[ABSENT], pages[ORG], 'the 403 page of an absent domain vs a leaked one');
    for (const d of [ORG, ABSENT]) {
      const r = await stranger.request.get(`${BASE}/dashboard/${d}/addresses.csv`, { maxRedirects: 0 });
      eq(r.status(), 403, `CSV status of ${d} for a stranger`);
      assert(!(await r.text()).includes('@'), `the CSV answer of ${d} holds an address`);
    }
  });

  await step('the JSON API without a key or with a made-up key: 401 whether or not the domain leaked', async () => {
    const answers = [];
    for (const d of [ORG, ABSENT]) {
      for (const headers of [{}, { Authorization: `Bearer lgk_${randomToken()}` }]) {
        const r = await stranger.request.get(`${BASE}/api/v1/domain/${d}`, { headers });
        eq(r.status(), 401, `API status for ${d} ${headers.Authorization ? 'with a made-up key' : 'without a key'}`);
        answers.push(normalise(await r.text(), [d]));
      }
    }
    eq(answers[2], answers[0], `the answer without a key for ${ABSENT} vs ${ORG}`);
    eq(answers[3], answers[1], `the answer with a made-up key for ${ABSENT} vs ${ORG}`);
  });

  await step('a wrong TXT token fails the same way for a leaked and an absent domain', async () => {
    const wrong = await client(IP.wrongToken);
    const st = {};
    for (const d of [PARTNER, ABSENT]) {
      const c = await startChallenge(wrong.page, d);
      const resp = await submit(wrong.page, () => wrong.page.click('#dns-submit'));
      eq(resp.status(), 200, `status after the DNS check of ${d}`);
      eq(await wrong.page.locator('#dns-form').count(), 1, `the verify page (#dns-form) after the DNS check of ${d}`);
      assert(wrong.page.url().startsWith(c.url), `page after the DNS check of ${d}: ${wrong.page.url()}`);
      st[d] = (await text(wrong.page, '#verify-status')).split(d).join('DOMAIN');
      assert(st[d].length > 0, `#verify-status empty for ${d}`);
      if (d === PARTNER) await shot(wrong.page, '11-wrong-dns-token');
      const r = await wrong.request.get(`${BASE}/dashboard/${d}`, { maxRedirects: 0 });
      eq(r.status(), 403, `dashboard of ${d} after a wrong token`);
    }
    eq(st[ABSENT], st[PARTNER], '#verify-status for the absent domain vs the leaked one');
  });

  await step(`a file at /.well-known/ on its web server verifies ${PARTNER} (after a failed check without it)`, async () => {
    const web = await client(IP.webAdmin);
    const c = await startChallenge(web.page, PARTNER);
    const url = `http://127.0.0.1:${WEB_PORT}/${PARTNER}/.well-known/leakguard-verification.txt`;
    eq(await text(web.page, '#web-url'), url, '#web-url (web_verify_url with the domain)');
    const token = await text(web.page, '#web-value');
    eq(token, c.token, '#web-value');
    const before = await submit(web.page, () => web.page.click('#web-submit'));
    eq(before.status(), 200, 'status of the web check without the file');
    eq(await web.page.locator('#web-form').count(), 1, 'the verify page after the failed web check');
    assert((await text(web.page, '#verify-status')).length > 0, '#verify-status is empty after the failed web check');
    const dir = path.join(WEB_ROOT, PARTNER, '.well-known');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'leakguard-verification.txt'), `${token}\n`);
    const resp = await submit(web.page, () => web.page.click('#web-submit'));
    eq(await redirectStatus(resp), 303, 'status of the successful web check');
    eq(web.page.url(), `${BASE}/dashboard/${PARTNER}`, 'page after the web check');
    compareWithLookup(await dashboardRows(web.page), PARTNER);
    await shot(web.page, '11b-dashboard-web-verified');
  });

  await step('a form posted without the CSRF value, or with a wrong one, is refused (403)', async () => {
    const c = await apiClient(IP.csrf);
    eq((await c.get(`${BASE}/`)).status(), 200, 'GET / (sets lg_csrf)');
    const r1 = await c.post(`${BASE}/check`, { form: { email: PERSON }, maxRedirects: 0 });
    eq(r1.status(), 403, 'POST /check without csrf');
    const r2 = await c.post(`${BASE}/check`, { form: { email: PERSON, csrf: randomToken() }, maxRedirects: 0 });
    eq(r2.status(), 403, 'POST /check with a wrong csrf');
  });

  // 6. Rate limits ------------------------------------------------------------
  await step(`address checks past rate_mail (${RATE_MAIL}/hour) get a visible 429 with Retry-After; other clients do not`, async () => {
    const flood = await client(IP.flood);
    const statuses = [];
    // The first RATE_MAIL checks post the page's form data directly (the
    // same cookies and CSRF value); the one past the limit goes through
    // the page, to see the 429 as a person would.
    await flood.page.goto(`${BASE}/`);
    const csrf = await flood.page.getAttribute('#check-form input[name="csrf"]', 'value');
    for (let i = 1; i <= RATE_MAIL; i++) {
      const r = await flood.request.post(`${BASE}/check`, { form: { email: `flood-${i}@${ABSENT}`, csrf }, maxRedirects: 0 });
      statuses.push(r.status());
    }
    await flood.page.fill('#email', `flood-${RATE_MAIL + 1}@${ABSENT}`);
    const last = await submit(flood.page, () => flood.page.click('#check-submit'));
    statuses.push(last.status());
    eq(statuses, [...Array(RATE_MAIL).fill(200), 429], `statuses of ${RATE_MAIL + 1} address checks`);
    const retry = Number(last.headers()['retry-after']);
    assert(retry > 0, `Retry-After is "${last.headers()['retry-after']}"`);
    const body = await flood.page.textContent('body');
    assert(/Too many requests/.test(body), 'the 429 page does not say "Too many requests"');
    await shot(flood.page, '12-rate-limited');
    const other = await apiClient(IP.bystander);
    const home = await (await other.get(`${BASE}/`)).text();
    const token = (home.match(/name="csrf" value="([^"]+)"/) || [])[1];
    assert(token, 'no csrf value in the home page');
    const r = await other.post(`${BASE}/check`, { form: { email: `bystander@${ABSENT}`, csrf: token }, maxRedirects: 0 });
    eq(r.status(), 200, 'status for another client meanwhile');
  });

  await step('range API without a key: 401, the same for every prefix (range_access = key)', async () => {
    const c = await apiClient(IP.rangeNoKey);
    const a = await c.get(`${BASE}/range/00000`);
    const b = await c.get(`${BASE}/api/v1/range/FFFFF`);
    eq([a.status(), b.status()], [401, 401], 'range statuses without a key');
    assert(!/^[0-9A-F]{35}$/m.test(await a.text()), 'a 401 answer holds suffixes');
  });

  await step(`range API with an operator's key answers as lookup --range, and past rate_range (${RATE_RANGE}/min) with 429 and Retry-After`, async () => {
    const c = await apiClient(IP.range, { Authorization: `Bearer ${RANGE_KEY}` });
    const sha = crypto.createHash('sha1').update(PERSON).digest('hex').toUpperCase();
    const prefix = sha.slice(0, 5);
    let cli = '';
    try {
      cli = execFileSync(LG_BIN, ['lookup', '--db', LG_DB, '--range', prefix], { encoding: 'utf8' });
    } catch (e) {
      cli = e.stdout || '';
    }
    const first = await c.get(`${BASE}/range/${prefix}`);
    eq(first.status(), 200, 'range status');
    const got = await first.text();
    assert(got.split('\n').filter(Boolean).length > 256, 'range lines: the real entries and 256 decoys');
    assert(got.split('\n').includes(sha.slice(5)), `the range answer lacks ${PERSON}'s suffix`);
    eq(got, cli, 'the range answer vs lookup --range');
    // A bucket of RATE_RANGE requests, refilled one every 60/RATE_RANGE s:
    // the first RATE_RANGE pass whatever the machine's speed; then a 429
    // must come within a few more (more than 10 would take minutes).
    const statuses = [200];
    let r;
    for (let i = 2; i <= RATE_RANGE + 10; i++) {
      r = await c.get(`${BASE}/range/${prefix}`);
      statuses.push(r.status());
      if (r.status() !== 200) break;
    }
    eq(statuses.slice(0, RATE_RANGE), Array(RATE_RANGE).fill(200), `statuses of the first ${RATE_RANGE} range requests`);
    eq(statuses[statuses.length - 1], 429, `status once the range limit is used up (statuses: ${statuses.join(' ')})`);
    assert(Number(r.headers()['retry-after']) > 0, `Retry-After of the range 429 is "${r.headers()['retry-after']}"`);
  });

  // 7. Operator login and audit log -------------------------------------------
  const op = await client(IP.operator);
  await step('operator pages need a login; wrong password and unknown name get the same refusal', async () => {
    const resp = await op.page.goto(`${BASE}/operator`);
    eq(op.page.url(), `${BASE}/operator/login`, '/operator without a login leads to');
    eq(resp.status(), 200, 'login page status');
    const errors = [];
    // The second try uses the form the first refusal answered with.
    for (const [u, pw] of [[OPERATOR, 'not the password'], [HOSTILE_NAME, OPERATOR_PASS]]) {
      await op.page.fill('#username', u);
      await op.page.fill('#password', pw);
      const r = await submit(op.page, () => op.page.click('#login-submit'));
      eq(r.status(), 200, `status of a failed login as ${u}`);
      errors.push(await text(op.page, '#login-error'));
    }
    eq(errors, ['Wrong name or password.', 'Wrong name or password.'], 'the refusals');
    await shot(op.page, '13-operator-login-failed');
  });

  await step('operator login shows the leaks as `leakguard sources` lists them', async () => {
    if (!(await op.page.locator('#login-form').count())) await op.page.goto(`${BASE}/operator/login`);
    await op.page.fill('#username', OPERATOR);
    await op.page.fill('#password', OPERATOR_PASS);
    const r = await submit(op.page, () => op.page.click('#login-submit'));
    eq(await redirectStatus(r), 303, 'status of the login');
    eq(op.page.url(), `${BASE}/operator`, 'page after the login');
    const rows = await op.page.$$eval('#operator-sources tr', (trs) => trs
      .filter((tr) => tr.querySelector('.source-name'))
      .map((tr) => {
        const c = (k) => (tr.querySelector(`.${k}`) || {}).textContent?.trim();
        return [c('source-name'), c('source-date'), c('source-status'), c('source-files'), c('source-records'), c('source-unreadable')];
      }));
    const expected = fs.readFileSync(path.join(WORK, 'sources.json'), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l))
      .map((o) => [o.source, o.date || '', o.status, String(o.files), String(o.records), String(o.unreadable_records)]);
    const plain = (v) => (/^[0-9][0-9 ,]*$/.test(v || '') ? v.replace(/[ ,]/g, '') : (v || ''));
    eq(rows.map((x) => x.map(plain)).sort(), expected.sort(), 'the operator\'s sources vs sources --json');
    // The leak named with markup shows as that text, not as an element.
    eq(await op.page.locator('#operator-sources img').count(), 0, 'img elements in #operator-sources');
    assert(rows.some((x) => x[0] === HOSTILE_SOURCE), `no source shown as the text ${HOSTILE_SOURCE}`);
    await shot(op.page, '14-operator-sources');
  });

  await step('the audit log shows who saw what, from where, newest first', async () => {
    const p = op.page;
    await p.goto(`${BASE}/operator`);
    const resp = await submit(p, () => p.click('a[href="/operator/audit"]'));
    eq(resp.status(), 200, 'audit page status');
    // Reload, so the first view is itself in the log.
    await p.reload();
    const rows = await p.$$eval('#audit-log tr.audit', (trs) => trs.map((tr) => {
      const c = (k) => (tr.querySelector(`.${k}`) || {}).textContent?.trim() || '';
      return { at: c('audit-at'), actor: c('audit-actor'), client: c('audit-client'), action: c('audit-action'), subject: c('audit-subject') };
    }));
    await shot(p, '15-operator-audit');
    fs.writeFileSync(path.join(ARTIFACTS, 'audit-log.json'), JSON.stringify(rows, null, 1));
    assert(rows.length > 0, 'no rows in #audit-log');
    const problemsHere = [];
    const has = (what, pred) => {
      if (!rows.some(pred)) problemsHere.push(`no row for ${what}`);
    };
    for (const r of rows) {
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(r.at)) problemsHere.push(`audit-at "${r.at}" is not UTC ISO 8601`);
    }
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].at > rows[i - 1].at) { problemsHere.push(`row ${i} (${rows[i].at}) is newer than row ${i - 1} (${rows[i - 1].at})`); break; }
    }
    const session = (r) => /^session:[0-9a-f]{8}$/.test(r.actor);
    has(`the address check from ${IP.person}`, (r) => r.action === 'check' && r.client === IP.person);
    for (const r of rows.filter((x) => x.action === 'check')) {
      if (r.subject.includes('@') || r.subject.includes('alice')) problemsHere.push(`a check row names the address: "${r.subject}"`);
    }
    has(`the result page opened from ${IP.personPhone}`, (r) => r.action === 'address-view' && r.client === IP.personPhone);
    has(`the challenge for ${ORG}`, (r) => r.action === 'domain-challenge' && r.subject.includes(ORG) && r.client === IP.admin);
    has(`the failed DNS check of ${ORG}`, (r) => r.action === 'verify-failed' && r.subject.includes(ORG) && r.client === IP.admin);
    has(`the DNS verification of ${ORG} by a session`, (r) => r.action === 'verify-dns' && r.subject.includes(ORG) && r.client === IP.admin && session(r));
    has(`the dashboard view of ${ORG}`, (r) => r.action === 'dashboard-view' && r.subject.includes(ORG) && r.client === IP.admin && session(r));
    has(`the CSV download of ${ORG}`, (r) => r.action === 'csv-download' && r.subject.includes(ORG) && r.client === IP.admin);
    has(`the verification mail for ${MAIL_ORG}`, (r) => r.action === 'verify-mail-sent' && r.subject.includes(MAIL_ORG) && r.client === IP.mailAdmin);
    has(`the confirmation of ${MAIL_ORG}`, (r) => r.action === 'verify-confirmed' && r.subject.includes(MAIL_ORG) && r.client === IP.mailAdmin);
    has(`the dashboard view of ${MAIL_ORG}`, (r) => r.action === 'dashboard-view' && r.subject.includes(MAIL_ORG) && r.client === IP.mailAdmin);
    has(`the web verification of ${PARTNER}`, (r) => r.action === 'verify-web' && r.subject.includes(PARTNER) && r.client === IP.webAdmin && session(r));
    has(`the stranger denied ${ORG}'s dashboard`, (r) => r.action === 'denied' && r.client === IP.stranger);
    has(`the failed operator logins`, (r) => r.action === 'operator-login-failed' && r.client === IP.operator);
    // A typed name that is no account is never stored (it may be a password
    // typed into the wrong field): the row says "(no such operator)".
    has(`the failed login of the name made of markup, as the marker "(no such operator)"`, (r) => r.action === 'operator-login-failed' && r.subject === '(no such operator)' && r.client === IP.operator);
    for (const r of rows) {
      if (r.subject.includes('onerror')) problemsHere.push(`a row keeps the typed name that is no account: "${r.subject}"`);
    }
    if (await p.locator('#audit-log img').count()) problemsHere.push('an img element in #audit-log (markup from a subject)');
    if ((await p.title()) === 'XSS') problemsHere.push('markup from the audit log ran');
    has(`the operator login`, (r) => r.action === 'operator-login' && r.client === IP.operator && r.actor.includes(OPERATOR));
    has(`the operator's view of the audit log`, (r) => r.action === 'audit-view' && r.actor === `operator:${OPERATOR}`);
    assert(problemsHere.length === 0, problemsHere.join('\n'));
  });

  await step('without an operator login, /operator/audit shows nothing', async () => {
    const resp = await stranger.page.goto(`${BASE}/operator/audit`);
    eq(stranger.page.url(), `${BASE}/operator/login`, '/operator/audit for a stranger leads to');
    eq(resp.status(), 200, 'status of the login page');
    eq(await stranger.page.locator('#audit-log').count(), 0, 'audit tables shown');
  });

  await step('no page broke its Content-Security-Policy or threw a script error', async () => {
    assert(problems.length === 0, problems.slice(0, 10).join('\n'));
  });

  await step('every page shown: a language, a heading, a label for each field, a name for each button and link', async () => {
    assert(a11yProblems.length === 0, a11yProblems.slice(0, 10).join('\n'));
  });
}

main()
  .catch((e) => {
    failures++;
    console.log('FAIL: the browser script stopped');
    console.log(String(e && e.stack || e).split('\n').slice(0, 12).map((l) => `    ${l}`).join('\n'));
  })
  .finally(async () => {
    for (const c of apiContexts) await c.dispose().catch(() => {});
    if (browser) await browser.close().catch(() => {});
    await stopDns().catch(() => {});
    process.exit(failures ? 1 : 0);
  });
