import { describe, expect, it } from 'vitest';
import { parseCsv } from '#contract/csv.ts';
import { CSV_COLUMNS, type IndicatorDef, MAX_CSV_BYTES } from '#contract/indicatorVocab.ts';
import {
  curlExample,
  fieldErrors,
  fileRefusal,
  formatBytes,
  indicatorChanges,
  indicatorForm,
  previewCsv,
  previewRefused,
  readIndicatorForm,
  rejectText,
  templateCsv,
  thresholdsText,
} from './indicators.ts';

const OVERDUE: IndicatorDef = Object.freeze({
  id: 'dossier_overdue',
  domain: 'public_services',
  nameVi: 'Hồ sơ quá hạn đang xử lý',
  nameEn: 'Overdue dossiers in progress',
  unit: 'dossier',
  period: 'hourly',
  scope: 'agency',
  goodDirection: 'down',
  dimensions: [],
  min: 0,
  max: 100000,
  thresholds: { basis: 'value', warning: 10, critical: 20 },
  disabled: false,
  updatedAt: 0,
}) as IndicatorDef;

// 15 October 2026, 10:00 in the city (UTC+7)
const NOW = Date.UTC(2026, 9, 15, 3);

describe('the CSV preview, before a file is sent', () => {
  it('reads a spreadsheet file as the import will: BOM, semicolons, a quoted cell with a line break, line numbers', () => {
    const text =
      '\uFEFFIndicator;Period;Value;Unit\r\nbudget_revenue;2026-09;1250,5;vnd_billion\r\n\r\ncpi;"2026-\n09";103.2;index_point\r\nnew_enterprises;2026-09;85;enterprise\r\n';
    const p = previewCsv(text, 2);
    expect(p.separator).toBe(';');
    expect(p.header).toEqual(['indicator', 'period', 'value', 'unit']);
    expect(p.records).toBe(3);
    // the blank line 3 is skipped; the quoted cell keeps its line break and the next record starts on line 6
    expect(p.first).toEqual([
      { line: 2, cells: ['budget_revenue', '2026-09', '1250,5', 'vnd_billion'] },
      { line: 4, cells: ['cpi', '2026-\n09', '103.2', 'index_point'] },
    ]);
    expect(parseCsv(text)).toMatchObject({ records: [{}, {}, {}, { line: 6 }] });
    expect(previewRefused(p)).toBe(false);
  });

  it('says beforehand what makes the import refuse the whole file: unknown, missing and repeated columns, an open quote', () => {
    const p = previewCsv('indicator,when,value,value\ncpi,2026-09,1,2\n');
    expect(p).toMatchObject({ unknown: ['when'], missing: ['period'], twice: ['value'], records: 1 });
    expect(previewRefused(p)).toBe(true);
    const open = previewCsv('indicator,period,value\ncpi,"2026-09,1\n');
    expect(open.error).toMatch(/line 2/);
    expect(previewRefused(open)).toBe(true);
    expect(previewCsv('')).toMatchObject({ records: 0, missing: ['indicator', 'period', 'value'] });
  });

  it('refuses a file over the import limit, or empty, by its size alone; sizes read as people read them', () => {
    expect(fileRefusal(MAX_CSV_BYTES)).toBeNull();
    expect(fileRefusal(MAX_CSV_BYTES + 1)).toBe('tooLarge');
    expect(fileRefusal(0)).toBe('empty');
    expect(formatBytes('vi', MAX_CSV_BYTES)).toBe('5 MB');
    expect(formatBytes('vi', 4300)).toBe('4,2 KB');
    expect(formatBytes('en', 4300)).toBe('4.2 KB');
    expect(formatBytes('en', 812)).toBe('812 B');
  });

  it('offers a template the import takes: every column, last month for monthly figures, yesterday for daily ones', () => {
    const csv = templateCsv(NOW);
    const p = previewCsv(csv);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(p.header).toEqual([...CSV_COLUMNS]);
    expect(previewRefused(p)).toBe(false);
    // with the year's plans (a `kind` column, contract v1.6) a plan row follows
    const plans = (CSV_COLUMNS as readonly string[]).includes('kind');
    expect(p.records).toBe(plans ? 4 : 3);
    expect(p.first.slice(0, 3).map((r) => r.cells.slice(0, 4))).toEqual([
      ['budget_revenue', '2026-09', '1250.5', 'vnd_billion'],
      ['cpi', '2026-09', '103.2', 'index_point'],
      ['dossier_online_share', '2026-10-14', '87.5', 'percent'],
    ]);
    // a per-agency figure names its agency
    expect(p.first[2]?.cells[CSV_COLUMNS.indexOf('agency')]).toBe('so-tu-phap');
  });
});

describe('why a row was refused, in the reader’s language', () => {
  it('words the reasons and the known details in Vietnamese and English, with the unit of the one vocabulary', () => {
    expect(rejectText('vi', 'future_ts', 'the monthly period 2027-01 has not begun')).toEqual({
      text: 'Thời điểm ở tương lai: kỳ 2027-01 chưa bắt đầu',
      detail: null,
    });
    expect(rejectText('en', 'future_ts', 'the monthly period 2027-01 has not begun').text).toBe(
      'Time in the future: the period 2027-01 has not begun',
    );
    expect(rejectText('vi', 'unknown_indicator', 'indicator gdp_typo is not in the catalogue').text).toBe(
      'Chỉ số không có trong danh mục: “gdp_typo” không có trong danh mục hoặc đã tắt',
    );
    expect(rejectText('vi', 'wrong_unit', 'unit percent is not the unit of cpi (index_point)').text).toBe(
      'Sai đơn vị: đơn vị “percent” không phải đơn vị của chỉ số: index_point (điểm)',
    );
    expect(
      rejectText('vi', 'invalid_payload', 'value: a whole number ≥ 0 for unit enterprise, got 12.5').text,
    ).toBe('Dữ liệu không hợp lệ: giá trị phải là số nguyên không âm (doanh nghiệp), nhận được 12.5');
    expect(rejectText('vi', 'invalid_payload', 'value: at most 200 for cpi, got 1032').text).toContain(
      'lớn hơn mức cao nhất cho phép 200',
    );
    expect(
      rejectText('vi', 'invalid_payload', 'period: monthly figures take a month as YYYY-MM, got 2026/09')
        .text,
    ).toBe('Dữ liệu không hợp lệ: kỳ “2026/09” sai dạng: chỉ số theo tháng ghi kỳ dạng YYYY-MM');
    expect(
      rejectText(
        'vi',
        'formula_cell',
        'value: a cell starting with = + - @ that is not a number is refused (a formula)',
      ).text,
    ).toBe('Ô chứa công thức: ô ở cột value bắt đầu bằng = + - @ mà không phải số (công thức bảng tính)');
    expect(rejectText('vi', 'invalid_payload', 'expected 4 cells, got 3').text).toBe(
      'Dữ liệu không hợp lệ: dòng có 3 ô, dòng tiêu đề có 4',
    );
    expect(
      rejectText('en', 'invalid_payload', 'agency: required, dossier_overdue is given per agency').text,
    ).toBe('Invalid data: a per-agency indicator: the agency column is required');
    expect(rejectText('vi', 'too_old', '2015-01 is older than 3660 days (monthly figures)').text).toBe(
      'Số liệu quá cũ: 2015-01 cũ hơn 3660 ngày',
    );
  });

  it('keeps the server’s own words beside the reason when it does not know the detail, and names an unknown code', () => {
    expect(rejectText('vi', 'store_refused', 'duplicate key value violates unique constraint')).toEqual({
      text: 'Cơ sở dữ liệu từ chối lưu',
      detail: 'duplicate key value violates unique constraint',
    });
    expect(rejectText('vi', 'some_new_reason', undefined)).toEqual({ text: 'some_new_reason', detail: null });
  });
});

describe('the catalogue’s forms', () => {
  it('shows the server’s field refusals next to the field in the reader’s language, never its English words', () => {
    const details = [
      { field: 'thresholds.warning', message: 'Invalid input: expected number, received string' },
      { field: 'min', message: 'at most max' },
      { field: 'nameVi', message: 'Too small: expected string to have >=1 characters' },
      { field: 'indicators', message: 'no such indicators: gdp, xyz' },
      { field: 'unit', message: 'Invalid option' },
    ];
    expect(fieldErrors('vi', details)).toEqual({
      warning: 'Phải là một số (dấu phẩy hoặc dấu chấm thập phân), hoặc để trống.',
      min: 'Giá trị nhỏ nhất không được lớn hơn giá trị lớn nhất.',
      nameVi: 'Bắt buộc nhập, tối đa 200 ký tự.',
      indicators: 'Không có trong danh mục: gdp, xyz',
      unit: 'Chọn một giá trị trong danh sách.',
    });
    expect(fieldErrors('en', details).min).toBe('The lowest value may not be above the highest.');
  });

  it('reads numbers as typed in Vietnamese (decimal comma), refuses what the server would, and sends only what changed', () => {
    const f = indicatorForm('vi', {
      ...OVERDUE,
      thresholds: { basis: 'value', warning: 10.5, critical: 20 },
    });
    expect(f.warning).toBe('10,5');
    const same = readIndicatorForm(f);
    expect(same.ok && indicatorChanges(OVERDUE, same.body)).toEqual({
      thresholds: { basis: 'value', warning: 10.5, critical: 20 },
    });
    const edited = readIndicatorForm({ ...f, nameEn: ' Overdue dossiers ', critical: '', max: '' });
    expect(edited.ok && indicatorChanges(OVERDUE, edited.body)).toEqual({
      nameEn: 'Overdue dossiers',
      max: null,
      thresholds: { basis: 'value', warning: 10.5, critical: null },
    });
    expect(readIndicatorForm({ ...f, id: 'Bad Id', min: '50', max: '5', warning: 'mười' })).toEqual({
      ok: false,
      bad: ['id', 'warning', 'min'],
    });
  });

  it('writes thresholds the bad way of the good direction, with the unit', () => {
    expect(thresholdsText('vi', OVERDUE)).toBe('cảnh báo ≥ 10 hồ sơ · nguy cấp ≥ 20 hồ sơ');
    expect(
      thresholdsText('en', {
        unit: 'percent',
        goodDirection: 'up',
        thresholds: { basis: 'value', warning: 95.5, critical: 90 },
      }),
    ).toBe('warning ≤ 95.5% · critical ≤ 90%');
    expect(
      thresholdsText('vi', {
        unit: 'mention',
        goodDirection: 'down',
        thresholds: { basis: 'baseline_ratio', warning: 2, critical: 3 },
      }),
    ).toBe('cảnh báo ≥ 2× · nguy cấp ≥ 3×');
    expect(
      thresholdsText('vi', { ...OVERDUE, thresholds: { basis: 'value', warning: null, critical: null } }),
    ).toBeNull();
  });
});

describe('how a source calls the endpoint', () => {
  it('shapes the example value as the indicator asks, with the key header', () => {
    const c = curlExample('http://ioc.local:8080', 'cong-dvc', 'dossier_overdue', 'K3Y', NOW, [OVERDUE]);
    expect(c).toContain("'http://ioc.local:8080/api/ingest/cong-dvc'");
    expect(c).toContain("-H 'x-api-key: K3Y'");
    const body = JSON.parse((/-d '(.+)'$/.exec(c) as RegExpExecArray)[1] as string);
    expect(body).toEqual({
      values: [
        { indicator: 'dossier_overdue', ts: '2026-10-15T03:00:00Z', value: 100, agency: 'so-tu-phap' },
      ],
    });
  });
});

describe('the year’s plans (contract v1.6)', () => {
  it('words the refusals of a plan row', () => {
    expect(
      rejectText(
        'vi',
        'invalid_payload',
        'kind: plans are given for monthly and quarterly indicators; dossier_online_share is daily',
      ).text,
    ).toBe(
      'Dữ liệu không hợp lệ: chỉ đặt kế hoạch năm cho chỉ số theo tháng hoặc theo quý; chỉ số này theo ngày',
    );
    expect(rejectText('vi', 'future_ts', "the plan's year 2031 is after next year (2027)").text).toBe(
      'Thời điểm ở tương lai: kế hoạch năm 2031 quá xa (tối đa năm sau)',
    );
    expect(rejectText('en', 'invalid_payload', "agency: a plan is the province's, without agency").text).toBe(
      "Invalid data: a plan is the province's: leave the agency column empty",
    );
  });
});
