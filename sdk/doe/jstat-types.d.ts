/** The few jstat (1.9.6) functions sdk/doe uses; jstat ships no TypeScript types. */
declare module "jstat" {
  interface JStatDistribution3 {
    cdf(x: number, a: number, b: number): number;
    inv(p: number, a: number, b: number): number;
  }
  interface JStatDistribution2 {
    cdf(x: number, a: number): number;
    inv(p: number, a: number): number;
  }
  interface JStatStatic {
    centralF: JStatDistribution3;
    studentt: JStatDistribution2;
    normal: JStatDistribution3;
    /** Regularized incomplete beta I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
  }
  const jStat: JStatStatic & { jStat: JStatStatic };
  export default jStat;
}
