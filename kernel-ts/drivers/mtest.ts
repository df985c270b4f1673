// Placeholder: the mtest driver is being written (issue 5); until then insmod mtest fails with -ENODEV.
import type { KernelModule } from '../module/api';

const mod: KernelModule = {
  name: 'mtest',
  description: 'not built yet',
  init: () => -19,
};
export default mod;
