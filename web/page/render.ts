// Drawing the views (web/views-data.ts) into the page's panels. Every fact
// is in text (flags by Intel name, owners by name and letter, the walk path
// and the current instruction marked with words), colour only repeats it.
// Physical addresses are buttons: clicking one selects that frame in the
// frame map (the views are linked through the page's `select` callbacks).
import type { FaultView, PtEntryView, PtTableView, TlbBrief, TlbEventView, Views } from '../views-data';

/** What a click in a view asks the page to do. */
export interface Links {
  /** Show frame PFN in the frame map. */
  frame(pfn: number): void;
  /** Expand or fold the page table at PA. */
  toggleTable(pa: number): void;
  /** Expand every table on the walk path. */
  expandWalk(): void;
  /** Show process PID. */
  process(pid: number): void;
}

type Child = Node | string | null | undefined | false;

/** A DOM element with attributes and children. */
export function h(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const PAGE = 4096;

/** A physical address as a link to its frame. */
function paButton(pa: number, links: Links, label = `PA ${hex(pa)}`): HTMLElement {
  const b = h('button', { class: 'addr', type: 'button', title: `Show frame ${hex(Math.floor(pa / PAGE))} in the frame map` }, label);
  b.addEventListener('click', () => links.frame(Math.floor(pa / PAGE)));
  return b;
}

// ---- page tables --------------------------------------------------------------

function entryRow(e: PtEntryView, t: PtTableView, byPa: Map<number, PtTableView>, links: Links): HTMLElement {
  const child = e.leaf === null ? byPa.get(e.target) : undefined;
  const row = h('div', { class: `pt-entry${e.onPath ? ' on-path' : ''}`, 'data-index': e.index, 'data-level': t.level });
  if (e.leaf === null && t.level > 1) {
    const open = child !== undefined;
    const b = h('button', { class: 'toggle', type: 'button', 'aria-expanded': String(open), 'aria-label': `${open ? 'Fold' : 'Expand'} entry ${e.index}` }, open ? '−' : '+');
    b.addEventListener('click', () => links.toggleTable(e.target));
    row.append(b, ' ');
  } else row.append(h('span', { class: 'leaf' }, `${e.leaf} page`), ' ');
  row.append(`[${String(e.index).padStart(3)}] `);
  if (e.shared) row.append(h('span', { class: 'shared' }, 'kernel (shared)'), ' ');
  row.append(
    `VA ${e.va} `,
    ...e.flags.map((f) => h('span', { class: `flag flag-${f.replace(/=.*/, '')}` }, f)),
    ' → ',
    e.leaf === null ? `${nextName(t.level)} at ` : 'frame ',
    paButton(e.target, links),
  );
  if (e.onPath) row.append(' ', h('strong', {}, '◀ walk'));
  row.title = `raw ${e.raw}`;
  const wrap = h('div', {}, row);
  if (child) wrap.append(tableBlock(child, byPa, links));
  return wrap;
}

function nextName(level: number): string {
  return ['', '', 'PTE table (PT)', 'PMD table (PD)', 'PUD table (PDPT)', 'P4D table (PML4)'][level] ?? 'table';
}

function tableBlock(t: PtTableView, byPa: Map<number, PtTableView>, links: Links): HTMLElement {
  const block = h('div', { class: 'pt-table', 'data-table-pa': t.pa, 'data-level': t.level, role: 'group', 'aria-label': `${t.name} at PA ${hex(t.pa)}` });
  block.append(h('div', { class: 'note' }, `${t.name} at `, paButton(t.pa, links), ` — ${t.entries.length} present, ${t.notPresent} not present`));
  for (const e of t.entries) block.append(entryRow(e, t, byPa, links));
  return block;
}

export function renderPageTables(el: HTMLElement, v: Views, links: Links): void {
  el.replaceChildren();
  if (v.pid === null) {
    el.append(h('p', { class: 'note' }, 'No process is alive. Run a program in the background (PROG &), or press Pause while one runs, to see its page tables.'));
    return;
  }
  const expand = h('button', { type: 'button' }, 'Expand the walk');
  expand.addEventListener('click', () => links.expandWalk());
  el.append(
    h('p', { class: 'note' }, `pid ${v.pid} (${v.comm}): CR3 → `, paButton(v.cr3, links), `, ${v.levels}-level paging. Marked ◀ walk: the walk of VA ${v.walkVa} (this process's last page fault, else its pc). `, expand),
  );
  const byPa = new Map(v.tables.map((t) => [t.pa, t]));
  const root = v.tables[0];
  if (root) el.append(tableBlock(root, byPa, links));
}

// ---- TLB --------------------------------------------------------------------------

export function renderTlb(el: HTMLElement, v: Views, previous: Views | null, links: Links): void {
  const before = new Set((previous?.tlb ?? []).map((e) => `${e.tlb} ${e.va} ${e.pcid}`));
  const rows = v.tlb.map((e) => {
    const isNew = previous !== null && !before.has(`${e.tlb} ${e.va} ${e.pcid}`);
    return h('tr', { class: isNew ? 'selected-row' : undefined },
      h('td', {}, e.tlb), h('td', {}, e.pageSize), h('td', {}, `${e.va} (VPN ${e.vpn})`),
      h('td', {}, paButton(e.pa, links, `PA ${hex(e.pa)} (PFN ${hex(e.pfn)})`)),
      h('td', {}, String(e.pcid)), h('td', {}, e.global ? 'G' : '-'), h('td', {}, e.rights), h('td', {}, isNew ? 'new' : ''));
  });
  const flushText = (f: Record<string, number>): string => Object.entries(f).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
  const stats = v.tlbStats.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, String(s.lookups)), h('td', {}, String(s.hits)), h('td', {}, String(s.misses)), h('td', {}, String(s.walks)), h('td', {}, String(s.evictions)), h('td', {}, String(s.dropped)), h('td', {}, flushText(s.flushes))));
  el.replaceChildren(
    h('table', { 'aria-label': 'TLB statistics' }, h('tr', {}, ...['TLB', 'lookups', 'hits', 'misses', 'walks', 'evictions', 'dropped', 'flushes by cause'].map((x) => h('th', {}, x))), ...stats),
    tlbLogBlock(v),
    h('p', { class: 'note' }, `${v.tlb.length} valid entries. rights: u/s user or supervisor, w/r writable or read-only, x/- executable, d/- dirty. "new": filled since the last update.`),
    h('table', { 'aria-label': 'TLB entries' }, h('tr', {}, ...['TLB', 'size', 'VA (VPN)', 'PA (PFN)', 'PCID', 'G', 'rights', ''].map((x) => h('th', {}, x))), ...rows),
  );
}

/** An entry as the log names it: `DTLB 4K VPN 0x400 PCID 1 G`. */
const briefText = (e: TlbBrief): string => `${e.tlb} ${e.pageSize} VPN ${e.vpn} PCID ${e.pcid}${e.global ? ' G' : ''}`;

/** A list of entries: the first few inline, all of them in a disclosure when there are more. */
function entryList(list: TlbBrief[], none: string): HTMLElement {
  const INLINE = 4;
  if (list.length === 0) return h('span', { class: 'note' }, none);
  const ul = h('ul', { class: 'tlb-entries' }, ...list.map((e) => h('li', {}, briefText(e))));
  if (list.length <= INLINE) return ul;
  return h('details', {}, h('summary', {}, `${list.length} entries: ${list.slice(0, 2).map(briefText).join('; ')}; ...`), ul);
}

function tlbEventRow(ev: TlbEventView): HTMLElement {
  return h('tr', { 'data-n': ev.n },
    h('td', {}, String(ev.n)), h('td', {}, ev.by), h('td', { class: 'tlb-op' }, ev.what),
    h('td', { class: 'tlb-dropped' }, entryList(ev.dropped, 'none')),
    h('td', { class: 'tlb-kept' }, h('div', {}, ev.keptWhy), ev.kept.length > 0 ? entryList(ev.kept, '') : null));
}

/** The invalidations of the last step or run: each operation, who it was done for, what it dropped and what it kept. */
function tlbLogBlock(v: Views): HTMLElement {
  const log = v.tlbLog;
  const title = `Invalidations during ${log.since === 'the command' ? 'the command' : `the last move (${log.since})`}: ${log.total}${log.total > log.events.length ? ` (the last ${log.events.length} listed)` : ''}`;
  return h('section', { 'aria-label': 'TLB log' },
    h('h3', {}, title),
    log.events.length === 0
      ? h('p', { class: 'note' }, 'No CR3 write, INVLPG, INVPCID or page fault: no entry was invalidated.')
      : h('table', { 'aria-label': 'TLB invalidations' },
        h('tr', {}, ...['#', 'for', 'operation', 'dropped', 'kept'].map((x) => h('th', {}, x))),
        ...log.events.map(tlbEventRow)),
    h('p', { class: 'note' }, 'A CR3 write with NOFLUSH switches PCID and drops nothing: the entries of other PCIDs stay for when their process runs again. Global (G) entries survive every CR3 write; INVLPG and a page fault (#PF, SDM 4.10.4.1) drop the page\'s global entry and the current PCID\'s, not other PCIDs\'.'),
  );
}

// ---- VMAs -------------------------------------------------------------------------

export function renderMaps(el: HTMLElement, v: Views): void {
  if (v.pid === null) {
    el.replaceChildren(h('p', { class: 'note' }, 'No process is alive.'));
    return;
  }
  el.replaceChildren(
    h('p', { class: 'note' }, `/proc/${v.pid}/maps (${v.comm}): start-end, permissions, offset, device, inode, path`),
    h('pre', { 'aria-label': `/proc/${v.pid}/maps` }, v.maps.join('\n')),
  );
}

// ---- frames -----------------------------------------------------------------------

/** Each owner's colour and letter (OWNER_NAMES order: free kernel slab pgtable anon pagecache vmalloc module). */
const OWNER_STYLE: [string, string][] = [['#ffffff', '.'], ['#7f8c99', 'K'], ['#e0a030', 'S'], ['#c0392b', 'T'], ['#2e86de', 'A'], ['#27ae60', 'C'], ['#8e44ad', 'V'], ['#f368e0', 'M']];
/** Frames per row of the map, and the side of one frame's square in pixels. */
const FRAMES_PER_ROW = 128;
const CELL = 4;

export function renderFrames(el: HTMLElement, v: Views, selected: number | null, links: Links): void {
  const n = v.frameOwners.length;
  const counts = new Array<number>(v.ownerNames.length).fill(0);
  for (const o of v.frameOwners) counts[o]++;
  counts[0] += v.nrFrames - n;
  const legend = h('div', { class: 'legend', 'aria-label': 'Owners' },
    ...v.ownerNames.map((name, i) => h('span', {}, h('span', { class: 'swatch', style: `background:${OWNER_STYLE[i]?.[0]}` }, OWNER_STYLE[i]?.[1] ?? '?'), `${name}: ${counts[i]}`)));
  const canvas = h('canvas', { id: 'frame-canvas', width: FRAMES_PER_ROW * CELL, height: Math.ceil(n / FRAMES_PER_ROW) * CELL, role: 'img', 'aria-label': `Frame map: ${v.nrFrames} frames, ${v.ownerNames.map((x, i) => `${counts[i]} ${x}`).join(', ')}` }) as HTMLCanvasElement;
  const ctx = canvas.getContext('2d')!;
  for (let pfn = 0; pfn < n; pfn++) {
    ctx.fillStyle = OWNER_STYLE[v.frameOwners[pfn]!]?.[0] ?? '#000';
    ctx.fillRect((pfn % FRAMES_PER_ROW) * CELL, Math.floor(pfn / FRAMES_PER_ROW) * CELL, CELL, CELL);
  }
  if (selected !== null && selected < n) {
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.strokeRect((selected % FRAMES_PER_ROW) * CELL - 2, Math.floor(selected / FRAMES_PER_ROW) * CELL - 2, CELL + 4, CELL + 4);
  }
  const pfnAt = (e: MouseEvent): number => {
    const r = canvas.getBoundingClientRect();
    return Math.floor((e.clientY - r.top) / CELL) * FRAMES_PER_ROW + Math.floor((e.clientX - r.left) / CELL);
  };
  canvas.addEventListener('mousemove', (e) => {
    const pfn = pfnAt(e);
    if (pfn >= 0 && pfn < n) canvas.title = `PFN ${hex(pfn)} (PA ${hex(pfn * PAGE)}): ${v.ownerNames[v.frameOwners[pfn]!]}, refcount ${v.frameRefcount[pfn]}, mapcount ${v.frameMapcount[pfn]}; click for its flags and mappings`;
  });
  canvas.addEventListener('click', (e) => {
    const pfn = pfnAt(e);
    if (pfn >= 0 && pfn < n) links.frame(pfn);
  });
  const detail = v.frame === null
    ? h('p', { class: 'note', id: 'frame-detail' }, 'Hover over a frame for its owner, refcount and mapcount; click it (or any PA in the other views) for its flags and the virtual addresses that map it.')
    : h('div', { id: 'frame-detail' }, h('h3', {}, `Frame PFN ${hex(v.frame.pfn)} (PA ${hex(v.frame.pfn * PAGE)})`), h('pre', {}, `${v.frame.text}\n${v.frame.mappings}`));
  const free = v.nrFrames - n;
  el.replaceChildren(
    h('p', { class: 'note' }, `${v.nrFrames} frames of 4 KiB; drawn: PFN 0 (top left) to ${hex(n - 1)}, ${FRAMES_PER_ROW} per row${free > 0 ? `; the ${free} frames above are all free` : ''}. Letters in the legend name the owners.`),
    legend,
    canvas,
    detail,
    sharedTable(v, links),
    runsTable(v),
  );
}

/** The frames mapped by more than one page-table entry (mapcount >= 2): after fork, the anonymous ones are shared copy-on-write. */
function sharedTable(v: Views, links: Links): HTMLElement {
  const anon = v.ownerNames.indexOf('anon');
  const rows: HTMLElement[] = [];
  let total = 0;
  for (let pfn = 0; pfn < v.frameOwners.length; pfn++) {
    const mc = v.frameMapcount[pfn]!;
    if (mc < 2) continue;
    total++;
    if (rows.length >= 64) continue;
    const cow = v.frameOwners[pfn] === anon;
    rows.push(h('tr', { class: cow ? 'cow' : undefined, 'data-pfn': pfn },
      h('td', {}, paButton(pfn * PAGE, links, `PFN ${hex(pfn)}`)), h('td', {}, v.ownerNames[v.frameOwners[pfn]!] ?? '?'),
      h('td', {}, String(mc)), h('td', {}, String(v.frameRefcount[pfn])), h('td', {}, cow ? 'shared copy-on-write' : 'shared')));
  }
  return h('table', { 'aria-label': 'Shared frames' },
    h('caption', { class: 'note' }, total === 0 ? 'No frame is mapped more than once.' : `Frames mapped more than once: ${total}${total > 64 ? ' (the first 64)' : ''}. Anonymous ones are shared copy-on-write (after fork): the first write copies.`),
    h('tr', {}, ...['frame', 'owner', 'mapcount', 'refcount', 'sharing'].map((x) => h('th', {}, x))), ...rows);
}

/** The frame map as text: runs of frames with one owner (the first 64 runs). */
function runsTable(v: Views): HTMLElement {
  const rows: HTMLElement[] = [];
  let start = 0;
  for (let pfn = 1; pfn <= v.frameOwners.length && rows.length < 64; pfn++) {
    if (pfn < v.frameOwners.length && v.frameOwners[pfn] === v.frameOwners[start]) continue;
    rows.push(h('tr', {}, h('td', {}, `${hex(start)}–${hex(pfn - 1)}`), h('td', {}, String(pfn - start)), h('td', {}, v.ownerNames[v.frameOwners[start]!] ?? '?')));
    start = pfn;
  }
  return h('table', { 'aria-label': 'Frame runs by owner' }, h('caption', { class: 'note' }, 'Runs of frames by owner (first 64)'), h('tr', {}, h('th', {}, 'PFNs'), h('th', {}, 'frames'), h('th', {}, 'owner')), ...rows);
}

// ---- faults -----------------------------------------------------------------------

export function renderFaults(el: HTMLElement, v: Views, links: Links): void {
  if (v.faults.length === 0) {
    el.replaceChildren(h('p', { class: 'note' }, 'No user page faults yet. Run a program.'));
    return;
  }
  const row = (f: FaultView): HTMLElement => {
    const pid = h('button', { class: 'addr', type: 'button', title: `Show pid ${f.pid}` }, String(f.pid));
    pid.addEventListener('click', () => links.process(f.pid));
    return h('tr', {}, h('td', {}, String(f.n)), h('td', {}, pid), h('td', {}, f.comm), h('td', {}, f.ip), h('td', {}, f.addr), h('td', {}, `${f.error} ${f.words}`), h('td', {}, f.outcome));
  };
  el.replaceChildren(
    h('p', { class: 'note' }, `The last ${v.faults.length} user page faults, newest last. Error code bits (Intel SDM 4.7): P (0 not-present, 1 protection), W/R, U/S, RSVD, I/D (fetch), PK.`),
    h('table', { 'aria-label': 'Page faults' }, h('tr', {}, ...['#', 'pid', 'comm', 'ip (VA)', 'address (VA)', 'error code', 'kernel'].map((x) => h('th', {}, x))), ...v.faults.map(row)),
  );
}

// ---- CPU ----------------------------------------------------------------------------

export function renderCpu(el: HTMLElement, v: Views): void {
  if (v.pid === null) {
    el.replaceChildren(h('p', { class: 'note' }, 'No process is alive.'));
    return;
  }
  const cells: HTMLElement[] = [];
  for (let i = 0; i < v.regs.length; i += 4)
    cells.push(h('tr', {}, ...v.regs.slice(i, i + 4).flatMap(([n, x]) => [h('th', {}, n), h('td', {}, x)])));
  el.replaceChildren(
    h('p', { class: 'note' }, `pid ${v.pid} (${v.comm}), ${v.run}; ${v.instret} instructions retired since boot.`),
    h('table', { 'aria-label': 'Registers' }, ...cells),
    h('h3', {}, 'Code around pc'),
    h('table', { 'aria-label': 'Disassembly' }, ...v.disasm.map((d) => h('tr', { class: d.current ? 'current' : undefined }, h('td', {}, d.current ? '=>' : ''), h('td', {}, d.addr), h('td', { class: 'sym' }, d.symbol), h('td', {}, d.word), h('td', {}, d.text), h('td', { class: 'src-ref' }, d.line)))),
    sourceBlock(v),
  );
}

/** The source lines around pc's, the current one marked `=>`. */
function sourceBlock(v: Views): HTMLElement {
  const s = v.source;
  if (s === null) return h('p', { class: 'note', id: 'source' }, 'No line information for this code (the program was built without it).');
  if (s.lines.length === 0) return h('p', { class: 'note', id: 'source' }, `Source: ${s.file}:${s.line} (its text is not in this build).`);
  return h('div', { id: 'source' }, h('h3', {}, `Source: ${s.file}:${s.line}`),
    h('table', { 'aria-label': `Source ${s.file}` }, ...s.lines.map((l) => h('tr', { class: l.current ? 'current' : undefined }, h('td', {}, l.current ? '=>' : ''), h('td', {}, String(l.n)), h('td', {}, h('pre', {}, l.text))))));
}
