/**
 * The workload names alone, without their parameters or code: `isobench --help` lists them and
 * must not load the catalog (each module loaded costs every CLI start about 1 ms here).
 */
export const WORKLOAD_NAMES = ['web', 'db', 'cpu', 'memory', 'fork', 'io'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];
