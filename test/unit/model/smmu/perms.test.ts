import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafPerms, permsText } from '../../../../language-server/src/model/smmu/perms';

test('permsText: privileged and unprivileged read/write/execute', () => {
  assert.equal(permsText({ pr: true, pw: true, px: false, ur: true, uw: false, ux: true }), 'priv rw- user r-x');
});

test('leafPerms long form: spelled-out access and only the restrictions', () => {
  assert.deepEqual(leafPerms(1, { AP: '0x2', UXN: '0x1' }, true), { access: 'privileged read-only, unprivileged none', exec: 'not executable unprivileged (UXN)' });
  assert.deepEqual(leafPerms(1, { AP: '0x1' }, true), { access: 'privileged read/write, unprivileged read/write', exec: '' });
  assert.deepEqual(leafPerms(2, { S2AP: '0x3', XN: '0x2' }, true), { access: 'read/write', exec: 'XN 0x2: execute restricted' });
  assert.equal(leafPerms(2, { S2AP: 'zz' }, true), undefined);
});
