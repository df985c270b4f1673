// The program's symbols and DWARF line table, as the debugger names
// addresses: `main+0x8`, `hello.s:12`, and the reverse (a symbol, symbol+off
// or FILE:LINE to an address).
import { readHostText } from '../../host/files';
import { readElf } from '../../asm/elf-read';
import type { ElfSymbol } from '../../asm/elf-read';
import { findLine, lineRows } from '../../asm/dwarf-line';
import type { LineTable } from '../../asm/dwarf-line';
import type { LineRow } from '../../asm/image';
import { readFunctions } from './dwarf-info';
import type { DebugSections, DwarfFunction } from './dwarf-info';
import { readProgram } from './dwarf-types';
import type { DwarfProgram } from './dwarf-types';
import { CallFrameInfo } from './dwarf-cfi';
import type { CfiSection } from './dwarf-cfi';

export class Symbols {
  /** Code and data symbols with a value, sorted by address. */
  private readonly sorted: ElfSymbol[];
  private readonly byName = new Map<string, ElfSymbol>();
  private readonly tables: LineTable[];
  private readonly rows: LineRow[];
  readonly entry: number;
  private readonly sources = new Map<string, string[] | null>();
  /** The functions .debug_info describes (their return types, for finish), by address. */
  private readonly functions: DwarfFunction[];

  constructor(elf: Uint8Array) {
    const r = readElf(elf);
    if (!r.ok) throw new Error(`debugger: unreadable ELF: ${r.error}`);
    this.entry = r.elf.header.entry;
    const syms = r.elf.symbols.filter((s) => s.section !== null && s.name !== '' && s.type !== 'section' && s.type !== 'file');
    // Globals win over locals of the same name; numeric local labels are skipped.
    for (const s of syms) {
      const old = this.byName.get(s.name);
      if (old === undefined || (old.binding === 'local' && s.binding !== 'local')) this.byName.set(s.name, s);
    }
    this.sorted = syms.filter((s) => !/^\.L|^\d/.test(s.name)).sort((a, b) => a.value - b.value || (a.binding === 'global' ? -1 : 1));
    const dl = r.elf.debugLine;
    this.tables = dl !== undefined && dl.ok ? dl.tables : [];
    this.rows = lineRows(this.tables);
    const section = (name: string): Uint8Array | undefined => r.elf.sections.find((x) => x.name === name && x.type !== 8)?.bytes;
    const info = section('.debug_info');
    const abbrev = section('.debug_abbrev');
    this.debug = info !== undefined && abbrev !== undefined ? { info, abbrev, str: section('.debug_str'), lineStr: section('.debug_line_str'), loclists: section('.debug_loclists') } : undefined;
    this.functions = this.debug !== undefined ? readFunctions(this.debug) : [];
    this.cfiSections = r.elf.sections
      .filter((x) => (x.name === '.debug_frame' || x.name === '.eh_frame') && x.type !== 8)
      .map((x) => ({ bytes: x.bytes, addr: x.addr, kind: x.name === '.eh_frame' ? 'eh_frame' : 'debug_frame' }));
  }

  private readonly cfiSections: CfiSection[];
  private callFrameInfo: CallFrameInfo | undefined;

  /** The call frame information of .debug_frame and .eh_frame (unwind.ts), read at the first use. */
  get cfi(): CallFrameInfo {
    this.callFrameInfo ??= new CallFrameInfo(this.cfiSections);
    return this.callFrameInfo;
  }

  private readonly debug: DebugSections | undefined;
  private dwarfProgram: DwarfProgram | undefined;

  /** The variables and types .debug_info describes (locals.ts), read at the first use. */
  get program(): DwarfProgram {
    this.dwarfProgram ??= this.debug !== undefined ? readProgram(this.debug) : { functions: [], globals: new Map(), types: new Map(), callSites: new Map() };
    return this.dwarfProgram;
  }

  /** The function .debug_info describes at addr (its code range holds addr), or undefined. */
  functionAt(addr: number): DwarfFunction | undefined {
    return this.functions.find((f) => f.lowPc <= addr && addr < f.highPc);
  }

  lookup(name: string): number | undefined {
    return this.byName.get(name)?.value;
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** The symbol covering addr (the nearest one at or below it, within its size when it has one). */
  symbolAt(addr: number): { sym: ElfSymbol; off: number } | undefined {
    let lo = 0, hi = this.sorted.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.value <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    // prefer a global among equal values
    let s = this.sorted[best]!;
    for (let i = best; i >= 0 && this.sorted[i]!.value === s.value; i--) if (this.sorted[i]!.binding === 'global') s = this.sorted[i]!;
    const off = addr - s.value;
    if (s.size > 0 && off >= s.size && off > 0x10000) return undefined;
    if (off > 0x100000) return undefined;
    return { sym: s, off };
  }

  /** `main` or `main+0x8`, or undefined. */
  name(addr: number): string | undefined {
    const s = this.symbolAt(addr);
    if (s === undefined) return undefined;
    return s.off === 0 ? s.sym.name : `${s.sym.name}+0x${s.off.toString(16)}`;
  }

  /** gdb's `<sym>` / `<sym+off>` (decimal offset) for an address inside a sized symbol, as print shows a pointer; '' otherwise. */
  dataSymbol(addr: number): string {
    const s = this.symbolAt(addr);
    if (s === undefined || !(s.off === 0 || s.off < s.sym.size)) return '';
    return s.off === 0 ? `<${s.sym.name}>` : `<${s.sym.name}+${s.off}>`;
  }

  line(addr: number): LineRow | undefined {
    return findLine(this.tables, addr);
  }

  /** The lowest address of FILE:LINE (file matched by its base name or suffix). */
  addressOfLine(file: string, line: number): number | undefined {
    let best: number | undefined;
    for (const r of this.rows) {
      if (r.line !== line || !(r.file === file || r.file.endsWith(`/${file}`) || file.endsWith(`/${r.file}`))) continue;
      if (best === undefined || r.address < best) best = r.address;
    }
    return best;
  }

  /** The text of a source file's lines (1-based), or null when it cannot be read. */
  sourceLines(file: string): string[] | null {
    if (!this.sources.has(file)) {
      const text = readHostText(file, 'a source file');
      this.sources.set(file, text.ok ? text.value.split('\n') : null);
    }
    return this.sources.get(file)!;
  }

  get hasLines(): boolean {
    return this.rows.length > 0;
  }
}
