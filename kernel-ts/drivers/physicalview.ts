// Placeholder: the physicalview driver is being written (issue 5); until then insmod physicalview fails with -ENODEV.
import type { KernelModule } from '../module/api';

const mod: KernelModule = {
  name: 'physicalview',
  description: 'not built yet',
  init: () => -19,
};
export default mod;
