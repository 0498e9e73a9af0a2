import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSrs, srsForward, srsReverse } from '../../../src/smtp/core/srs.js';

const S = 'test-secret';
const day = new Date('2026-12-02T12:00:00Z');

test('SRS0 round trip; the hash and the age are checked', () => {
  const a = srsForward('Bob.Smith@Sender.example', S, 'fwd.test', day);
  assert.match(a, /^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=Sender\.example=Bob\.Smith@fwd\.test$/);
  assert.ok(isSrs(a));
  assert.equal(srsReverse(a, S, day), 'Bob.Smith@Sender.example');
  assert.equal(srsReverse(a.toLowerCase(), S, day)?.toLowerCase(), 'bob.smith@sender.example', 'case-insensitive');
  assert.equal(srsReverse(a, 'other-secret', day), null, 'forged hash');
  assert.equal(srsReverse(a.replace('Bob.Smith', 'eve'), S, day), null, 'altered address');
  assert.equal(srsReverse(a, S, new Date(day.getTime() + 20 * 86400_000)), 'Bob.Smith@Sender.example');
  assert.equal(srsReverse(a, S, new Date(day.getTime() + 22 * 86400_000)), null, 'older than 21 days');
  assert.equal(srsReverse('plain@fwd.test', S, day), null);
});

test('an SRS0 address from another forwarder becomes SRS1 and goes back to it', () => {
  const first = srsForward('u@orig.test', 'their-secret', 'first.test', day);
  const second = srsForward(first, S, 'fwd.test', day);
  assert.match(second, /^SRS1=.{4}=first\.test==.{4}=[A-Z2-7]{2}=orig\.test=u@fwd\.test$/);
  assert.equal(srsReverse(second, S, day), first);
  // forwarding the SRS1 address again keeps pointing at the first forwarder
  assert.match(srsForward(second, 'third', 'third.test', day), /^SRS1=.{4}=first\.test==/);
  assert.equal(srsForward('', S, 'fwd.test'), '', 'the null sender stays null');
  assert.equal(srsForward('x@fwd.test', S, 'fwd.test'), 'x@fwd.test', 'our own domain is not rewritten');
});
