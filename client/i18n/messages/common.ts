import { CATEGORY_NAMES } from '#contract/incidentsApi.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '#contract/vocab.ts';

/** `cat.<code>`: the contract's names of the categories, the ones Open311 serves (one vocabulary). */
const categoryNames = (lang: 'vi' | 'en') =>
  Object.fromEntries(INCIDENT_CATEGORIES.map((c) => [`cat.${c}`, CATEGORY_NAMES[c][lang]])) as Record<
    `cat.${IncidentCategory}`,
    string
  >;

/**
 * Words more than one page uses: the product's name, roles, pages, the user menu, downloads,
 * the language toggle, incident categories (from the contract) and states, periods, units.
 * Vietnamese first; English must have exactly the same keys (a missing or extra one does not compile).
 */
export const vi = {
  ...categoryNames('vi'),
  'app.title': 'Trung tâm Điều hành Đô thị thông minh',
  'app.city': 'TP. Quy Nhơn',
  'role.admin': 'Quản trị viên',
  'role.operator': 'Điều hành viên',
  'role.field': 'Cán bộ hiện trường',
  'role.leader': 'Lãnh đạo',
  'role.device': 'Thiết bị',
  'page.console': 'Bản đồ điều hành',
  'page.report': 'Phản ánh hiện trường',
  'page.dashboard': 'Báo cáo tổng hợp',
  'page.admin': 'Quản trị hệ thống',
  'user.menu': 'Tài khoản: {name}',
  'user.pages': 'Chuyển đến',
  'user.sessionEnds': 'Phiên kết thúc lúc {time}',
  'user.logout': 'Đăng xuất',
  'user.loggingOut': 'Đang đăng xuất…',
  'user.logoutFailed': 'Không đăng xuất được — kiểm tra kết nối mạng rồi thử lại.',
  'user.login': 'Đăng nhập',
  'download.failed': 'Không tải được tệp: {msg}',
  'download.unreachable': 'Không tải được tệp: không kết nối được máy chủ. Kiểm tra mạng và thử lại.',
  'download.forbidden': 'Không tải được tệp: tài khoản của bạn không có quyền xem dữ liệu này.',
  'download.dismiss': 'Đóng',
  'period.1h': '1 giờ',
  'period.6h': '6 giờ',
  'period.24h': '24 giờ',
  'period.7d': '7 ngày',
  'state.new': 'Mới',
  'state.acknowledged': 'Đã tiếp nhận',
  'state.dispatched': 'Đã điều phối',
  'state.resolved': 'Đã xử lý',
  'state.closed': 'Đã đóng',
  'lang.toggle': 'English',
  'ago.now': 'vừa xong',
  'unit.kmh': 'km/h',
  'unit.min': 'phút',
  'unit.h': 'giờ',
  'unit.d': 'ngày',
} as const;

export const en = {
  ...categoryNames('en'),
  'app.title': 'Smart City Intelligent Operations Center',
  'app.city': 'Quy Nhon City',
  'role.admin': 'Administrator',
  'role.operator': 'Operator',
  'role.field': 'Field officer',
  'role.leader': 'Leader',
  'role.device': 'Device',
  'page.console': 'Operations console',
  'page.report': 'Field reports',
  'page.dashboard': "Leaders' dashboard",
  'page.admin': 'Administration',
  'user.menu': 'Account: {name}',
  'user.pages': 'Go to',
  'user.sessionEnds': 'Session ends at {time}',
  'user.logout': 'Log out',
  'user.loggingOut': 'Logging out…',
  'user.logoutFailed': 'Could not log out — check the connection and try again.',
  'user.login': 'Log in',
  'download.failed': 'Could not download the file: {msg}',
  'download.unreachable':
    'Could not download the file: the server cannot be reached. Check the connection and try again.',
  'download.forbidden': 'Could not download the file: your account may not see these data.',
  'download.dismiss': 'Close',
  'period.1h': '1 hour',
  'period.6h': '6 hours',
  'period.24h': '24 hours',
  'period.7d': '7 days',
  'state.new': 'New',
  'state.acknowledged': 'Acknowledged',
  'state.dispatched': 'Dispatched',
  'state.resolved': 'Resolved',
  'state.closed': 'Closed',
  'lang.toggle': 'Tiếng Việt',
  'ago.now': 'just now',
  'unit.kmh': 'km/h',
  'unit.min': 'min',
  'unit.h': 'h',
  'unit.d': 'd',
} satisfies Record<keyof typeof vi, string>;
