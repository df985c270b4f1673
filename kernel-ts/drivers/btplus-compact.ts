// btplus part 3: compaction of a range of a VMA.
import type { ModuleContext } from '../module/api';
import { ENOSYS } from '../errno';
import type { MmStruct } from '../mm/mm-struct';
import type { VmAreaStruct } from '../mm/vma';

export function compactVma(_m: ModuleContext, _mm: MmStruct, _start: number, _npages: number, _table: number): VmAreaStruct | number {
  return -ENOSYS;
}
