import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSize, parseAddress, parseAliasSource, parseDomain, parseSize } from '../../../src/admin/validate.js';
import { InputError } from '../../../src/admin/validate.js';

test('domains: lower-cased, trailing dot removed, bad syntax refused', () => {
  assert.equal(parseDomain('Example.TEST.'), 'example.test');
  assert.equal(parseDomain('bücher.example'), 'bücher.example');
  for (const bad of ['', 'a..b', '.a', '-a.b', 'a-.b', 'a_b.c', 'a b.c', 'x'.repeat(64) + '.com']) {
    assert.throws(() => parseDomain(bad), InputError, bad);
  }
});

test('addresses: dot-atom local part, valid domain', () => {
  assert.equal(parseAddress('Alice.Smith+tag@Example.test'), 'alice.smith+tag@example.test');
  for (const bad of ['alice', '@example.test', 'alice@', 'a..b@x.test', '.a@x.test', 'a.@x.test', 'a b@x.test', 'a"b@x.test', 'a<b@x.test', 'a@b@x..test', 'x'.repeat(65) + '@x.test']) {
    assert.throws(() => parseAddress(bad), InputError, bad);
  }
});

test('alias sources: address or @domain catch-all', () => {
  assert.equal(parseAliasSource('@Example.test'), '@example.test');
  assert.equal(parseAliasSource('Info@example.test'), 'info@example.test');
  assert.throws(() => parseAliasSource('@'), InputError);
  assert.throws(() => parseAliasSource('@bad..test'), InputError);
});

test('sizes: binary units, 0/unlimited = no limit, bad input refused', () => {
  assert.equal(parseSize('500M'), 500 * 1024 * 1024);
  assert.equal(parseSize('2G'), 2 * 1024 ** 3);
  assert.equal(parseSize('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('1024k'), 1024 * 1024);
  assert.equal(parseSize('12345'), 12345);
  assert.equal(parseSize('0'), 0);
  assert.equal(parseSize('unlimited'), 0);
  for (const bad of ['', 'M', '-1G', '2X', '1e9', 'lots']) assert.throws(() => parseSize(bad), InputError, bad);
  assert.equal(formatSize(2 * 1024 ** 3), '2 GiB');
  assert.equal(formatSize(1536), '1.5 KiB');
  assert.equal(formatSize(0, 'unlimited'), 'unlimited');
  assert.equal(formatSize(512), '512 B');
});
