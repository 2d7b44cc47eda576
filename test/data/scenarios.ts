// Scenario texts more than one test reads, stored once under test/data/ (tsc does not copy them
// to out/: they are read from the source tree).
import * as fs from 'node:fs';
import * as path from 'node:path';

const DATA_DIR = path.join(__dirname, '../../../test/data');

/** A nested scenario with named tables (stage-1 `nic_s1` over stage-2 `vm_s2`, STE 0x40 on smmuA)
 *  and one DMA through both stages, as a user of issue 10 wrote it. */
export const NESTED_NAMED = fs.readFileSync(path.join(DATA_DIR, 'nested-named.smmu'), 'utf8');
