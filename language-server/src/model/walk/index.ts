// Public API of the VMSAv8-64 walk for the SMMUv3 model.
export * from './api';
export * from './config';
export { blockAllowed, type Geometry } from './geometry';
export { walkStage1, compileS1, s1Canonical, type S1Compiled } from './stage1';
export { walkStage2, compileS2, s2IsDevice, type S2Compiled } from './stage2';
export * from './nested';
export { toPerms, fromPerms, neededPerm } from './perms';
