import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/clm';
import { capture } from '../../helpers/cliIo';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clm-validate-contacts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A licence export without any contact column, as most vendor exports are. */
const LICENCES = [
  'customer_id,customer_name,product,licenses_purchased,licenses_assigned,active_users,term_start,term_end',
  'C1,Acme,Photoshop,10,5,3,2026-01-01,2027-01-01',
  'C2,Beta,Photoshop,10,5,3,2026-01-01,2027-01-01',
  'C2,Beta,Illustrator,2,2,1,2026-01-01,2027-01-01',
  'C3,Gamma,Acrobat,5,5,5,2026-01-01,2027-01-01',
].join('\n');

const CONTACTS = [
  'customer_id,customer_name,admin_email,admin_name,owner_email,locale,timezone',
  'C1,Acme,it@acme.example,Ana,rep@reseller.example,de,Europe/Berlin',
  'C2,Beta,,,rep@reseller.example,,',
].join('\n');

describe('clm validate --contacts', () => {
  it('validates a licence export without contact columns on its own with exit 0', async () => {
    // Prepare
    const licences = await file('2026-11-20.csv', `${LICENCES}\n`);
    const io = capture();

    // Act
    const code = await main(['validate', licences], io);

    // Assess
    expect(code).toBe(0);
    expect(io.stdout).toContain('4 rows, 4 accepted, 0 rejected');
  });

  it('names the customers the join leaves without an admin or an owner, with exit 1', async () => {
    // Prepare
    const licences = await file('2026-11-21.csv', `${LICENCES}\n`);
    const contacts = await file('contacts.csv', `${CONTACTS}\n`);
    const io = capture();
    const json = capture();

    // Act
    const code = await main(['validate', licences, '--contacts', contacts], io);
    const jsonCode = await main(['validate', licences, '--contacts', contacts, '--json'], json);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toContain(`${licences}:3:customer_id customer "C2" has no admin_email`);
    expect(io.stderr).toContain(`${licences}:5:customer_id customer "C3" has no admin_email`);
    expect(io.stderr).toMatch(/"C3" has no admin_email .* and no owner_email/);
    expect(io.stderr).not.toContain('"C1"');
    expect(jsonCode).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ rows: 4, accepted: 4, rejected: [] });
    expect(report.contacts.withoutContact).toEqual([
      { customerId: 'C2', line: 3, missing: ['admin_email'] },
      { customerId: 'C3', line: 5, missing: ['admin_email', 'owner_email'] },
    ]);
  });

  it('exits 0 when every customer has a contact, and 2 when the contacts file cannot be used', async () => {
    // Prepare
    const licences = await file('2026-11-22.csv', `${LICENCES.split('\n').slice(0, 2).join('\n')}\n`);
    const contacts = await file('good-contacts.csv', `${CONTACTS}\n`);
    const unusable = await file('unusable-contacts.csv', 'name,email\nAcme,a@x.example\n');

    // Act
    const good = await main(['validate', licences, '--contacts', contacts], capture());
    const io = capture();
    const bad = await main(['validate', licences, '--contacts', unusable], io);

    // Assess
    expect(good).toBe(0);
    expect(bad).toBe(2);
    expect(io.stderr).toContain('no customer_id column');
  });
});
