// Access permissions granted by a leaf descriptor's own fields: the model's one rule and wording
// (model/smmu/perms). Hierarchical table controls (APTable, XNTable) are not applied: the walk
// panel labels this "leaf".

export { leafPerms, type LeafPerms } from '../../../language-server/src/model/smmu/perms';
