// The target description gdb reads with qXfer:features:read:target.xml: a
// riscv 64-bit CPU with gdb's own register names (its
// features/riscv/64bit-cpu.xml: x8 is `fp`, the others their ABI names) and
// the pc, numbered 0..32 in the order of the g packet. No FPU: the guest ABI
// is lp64 soft-float (RV64IM).

/** The ABI names of x0..x31, as gdb's riscv feature spells them. */
export const GDB_REG_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

/** The register number of the pc in g/p/P packets. */
export const PC_REGNUM = 32;
export const NUM_REGS = 33;

const TYPES: Record<string, string> = { ra: 'code_ptr', sp: 'data_ptr', gp: 'data_ptr', tp: 'data_ptr', fp: 'data_ptr' };

export function targetXml(): string {
  const regs = GDB_REG_NAMES.map((n, i) => `    <reg name="${n}" bitsize="64" type="${TYPES[n] ?? 'int'}"${i === 0 ? ' regnum="0"' : ''}/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>riscv:rv64</architecture>',
    '  <feature name="org.gnu.gdb.riscv.cpu">',
    ...regs,
    '    <reg name="pc" bitsize="64" type="code_ptr"/>',
    '  </feature>',
    '</target>',
    '',
  ].join('\n');
}
