// The kernel log (printk/dmesg). Each line gets a Linux-style timestamp,
// `[    1.234567] `, taken from the machine's instruction clock (the guest
// runs at a nominal 1 instruction per nanosecond), so logs are
// deterministic. The buffer is bounded like Linux's ring buffer.

/** Console log levels (include/linux/kern_levels.h). */
export const KERN_EMERG = 0;
export const KERN_ALERT = 1;
export const KERN_CRIT = 2;
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
export const KERN_DEBUG = 7;

export interface LogRecord {
  /** Nanoseconds since boot. */
  ns: number;
  level: number;
  text: string;
}

const MAX_RECORDS = 8192;

/** `[    1.234567]`: seconds padded to 5 columns, then microseconds (as printk's print_time). */
export function formatTimestamp(ns: number): string {
  const us = Math.floor(ns / 1000);
  const sec = Math.floor(us / 1e6);
  return `[${String(sec).padStart(5)}.${String(us % 1e6).padStart(6, '0')}]`;
}

export class Printk {
  private records: LogRecord[] = [];
  /** Called with each formatted line as it is logged (e.g. to echo to a console). */
  onLine: ((line: string, rec: LogRecord) => void) | null = null;

  constructor(private readonly clockNs: () => number) {}

  /** printk(level, text); a multi-line text becomes several records. */
  log(text: string, level = KERN_INFO): void {
    const ns = this.clockNs();
    for (const part of text.split('\n')) {
      const rec = { ns, level, text: part };
      this.records.push(rec);
      if (this.records.length > MAX_RECORDS) this.records.shift();
      this.onLine?.(`${formatTimestamp(ns)} ${part}`, rec);
    }
  }

  /** The log as `dmesg` prints it. */
  dmesg(): string {
    return this.records.map((r) => `${formatTimestamp(r.ns)} ${r.text}\n`).join('');
  }

  /** dmesg -c: clears after reading. */
  clear(): void {
    this.records = [];
  }

  get length(): number {
    return this.records.length;
  }

  /** The records, oldest first. */
  all(): readonly LogRecord[] {
    return this.records;
  }
}
