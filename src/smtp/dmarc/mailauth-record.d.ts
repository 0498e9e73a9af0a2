/** mailauth's DMARC record lookup (org-domain fallback included) ships without types */
declare module 'mailauth/lib/dmarc/get-dmarc-record.js' {
  const getDmarcRecord: (
    domain: string,
    resolver?: (name: string, type: string) => Promise<unknown>,
  ) => Promise<false | ({ rr: string; isOrgRecord: boolean } & Record<string, string | number | boolean | undefined>)>;
  export default getDmarcRecord;
}
