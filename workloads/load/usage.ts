/** `isobench load`'s usage line alone: the CLI shows it in help without loading the generator's argument parser. */
export const LOAD_USAGE =
  'isobench load URL --rate HZ --duration D [--connections N] [--warmup D] [--arrivals uniform|poisson] [--timeout D] [--drain D] [--seed N] [--engine native|node] [--standby auto|on|off] [--port stdin] [--start-at EPOCH_MS|stdin] [--json]';
