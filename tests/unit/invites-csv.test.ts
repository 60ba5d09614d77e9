/** The invite CSV reader: accepts the staff roster as-is, reports bad lines by number and imports the rest. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInviteCsv } from '../../sync-server/src/admin/invites.js';

const ROSTER = 'tests/fixtures/staff-roster.dev.csv';

describe('invite CSV', () => {
  it('accepts the staff roster file as-is (name,email,staff_group,site), extra columns ignored', () => {
    const text = fs.readFileSync(ROSTER, 'utf8');
    const dataLines = text.split('\n').filter((l) => l.trim() !== '').length - 1;
    const { rows, errors } = parseInviteCsv(text);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(dataLines);
    expect(rows[0]).toEqual({ line: 2, email: 'adaeze.okafor@trust.example', name: 'Adaeze Okafor' });
    for (const row of rows) {
      expect(row.email).toMatch(/^[a-z.'-]+@trust\.example$/);
      expect(row.name).toBeTruthy();
      expect(row.name).not.toMatch(/Nursing|Medical|Riverside|Northgate|Hillcrest/);
    }
  });

  it('keeps accented names intact (UTF-8, with or without a BOM)', () => {
    const { rows } = parseInviteCsv('\ufeffemail,name\nsean.obrien@trust.example,Seán Ó Briain\n');
    expect(rows).toEqual([{ line: 2, email: 'sean.obrien@trust.example', name: 'Seán Ó Briain' }]);
  });

  it('works without a header: email,name or name,email in any order', () => {
    const { rows, errors } = parseInviteCsv(
      'a@trust.example,Ann Example\nBen Example,b@trust.example\nc@trust.example\n',
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 1, email: 'a@trust.example', name: 'Ann Example' },
      { line: 2, email: 'b@trust.example', name: 'Ben Example' },
      { line: 3, email: 'c@trust.example' },
    ]);
  });

  it('reports bad and repeated lines by line number and keeps the good ones', () => {
    const csv = [
      'name,email',
      'Ann Example,ann@trust.example',
      'Bad Address,not-an-address',
      'No Address,',
      '',
      'Ann Again,ANN@trust.example',
      '"Quoted, Name",quoted@trust.example',
      'Cara Example,cara@trust.example',
    ].join('\n');
    const { rows, errors } = parseInviteCsv(csv);
    expect(rows.map((r) => [r.line, r.email, r.name])).toEqual([
      [2, 'ann@trust.example', 'Ann Example'],
      [7, 'quoted@trust.example', 'Quoted, Name'],
      [8, 'cara@trust.example', 'Cara Example'],
    ]);
    expect(errors).toEqual([
      { line: 3, message: 'not a valid e-mail address' },
      { line: 4, message: 'no e-mail address on this line' },
      { line: 6, message: 'the same address as line 2' },
    ]);
  });

  it('never puts an address in an error message (errors go back to whoever uploaded the file)', () => {
    const { errors } = parseInviteCsv('x@trust.example\nX@TRUST.EXAMPLE\nfoo@\n');
    expect(errors.length).toBe(2);
    for (const e of errors) expect(e.message).not.toMatch(/@/);
  });

  it('reports an unclosed quote instead of throwing', () => {
    const { rows, errors } = parseInviteCsv(
      'a@trust.example,Ann\n"b@trust.example,Broken\nc@trust.example,Cara\n',
    );
    expect(rows.map((r) => r.email)).toEqual(['a@trust.example']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/quote/);
  });

  it('understands first name / last name columns', () => {
    const { rows } = parseInviteCsv('First Name,Surname,E-mail\nAnn,Example,ann@trust.example\n');
    expect(rows).toEqual([{ line: 2, email: 'ann@trust.example', name: 'Ann Example' }]);
  });
});
