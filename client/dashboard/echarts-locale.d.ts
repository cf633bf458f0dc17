// echarts ships its locales without type declarations.
declare module 'echarts/i18n/langVI-obj.js' {
  const locale: Parameters<typeof import('echarts/core').registerLocale>[1];
  export default locale;
}
