import ipaddr from 'ipaddr.js';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthFailure } from './device-registry.js';
import type { LoginMetrics } from './metrics.js';
import { DEVICE_ID_PATTERN } from './topics.js';

/** How many failed device logins are tolerated before logins are refused unchecked. */
export interface LoginLimits {
  /** Failed logins of one device id within `windowSeconds`; then its logins are refused. */
  perDevice: number;
  /** Failed logins from one client address (an IPv6 one's /64) within `windowSeconds`; 0: none. */
  perAddress: number;
  /** The window failures are counted in, from the first one. */
  windowSeconds: number;
  /** How long logins are refused once a limit is reached. */
  blockSeconds: number;
}

/** The defaults: each failed login costs a scrypt, and 10 guesses per 5 minutes are plenty. */
export const LOGIN_LIMITS: LoginLimits = {
  perDevice: 10,
  perAddress: 100,
  windowSeconds: 300,
  blockSeconds: 300,
};

/** Who tries to log in, and over what. */
export interface LoginAttempt {
  source: 'mqtt' | 'http';
  deviceId: string;
  /** The client's address; undefined when the connection is gone already. */
  address: string | undefined;
}

/** A login refused without checking its secret: its device or its address failed too often. */
export class LoginBlocked {
  constructor(
    /** What is blocked. */
    readonly by: 'device' | 'address',
    /** Milliseconds until logins are checked again. */
    readonly retryAfterMs: number,
  ) {}

  /** Whole seconds until logins are checked again, as Retry-After gives them. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/**
 * The key a client address is counted under: IPv4-mapped IPv6 as the IPv4 address, other IPv6
 * by its /64, since one host commonly holds a whole /64 and could change address at will.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`;
}

/** What the throttle is given. */
export interface LoginThrottleOptions {
  /** Default LOGIN_LIMITS. */
  limits?: LoginLimits;
  /** Where each block is told, once. */
  logger: Pick<Logger, 'warn'>;
  metrics?: LoginMetrics;
}

/**
 * Limits failed device logins by device id and by client address, over MQTT and HTTP alike
 * (one throttle per node serves both), so that nobody can make a node burn scrypt, or guess
 * secrets, without end. A login from a blocked address or for a blocked device is refused
 * before its secret is checked, the right secret too, until the block ends. A successful login
 * is never limited, and clears its device's failures; it does not count against its address,
 * so devices behind one NAT reconnecting at once are not blocked. Counts are kept in this
 * process's memory: every node of a scale-out counts its own.
 */
export class LoginThrottle {
  private readonly limits: LoginLimits;
  private readonly byDevice: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory | undefined;

  constructor(private readonly options: LoginThrottleOptions) {
    this.limits = options.limits ?? LOGIN_LIMITS;
    const { perDevice, perAddress, windowSeconds, blockSeconds } = this.limits;
    this.byDevice = new RateLimiterMemory({
      points: perDevice,
      duration: windowSeconds,
      blockDuration: blockSeconds,
    });
    this.byAddress =
      perAddress > 0
        ? new RateLimiterMemory({ points: perAddress, duration: windowSeconds })
        : undefined;
  }

  /**
   * Runs `check` (the secret's check) unless the device or the address is blocked, and counts
   * its failure; answers what `check` answered, or the block the login fell under.
   */
  async login<T extends object>(
    attempt: LoginAttempt,
    check: () => Promise<T | AuthFailure>,
  ): Promise<T | AuthFailure | LoginBlocked> {
    const { deviceId } = attempt;
    const address = attempt.address === undefined ? undefined : addressKey(attempt.address);
    // An id no device can have costs no scrypt, and is not kept (a user name may be 64 KiB).
    const counted = DEVICE_ID_PATTERN.test(deviceId);
    const blocked =
      (await this.addressBlock(address)) ??
      (counted ? await this.admit(attempt, address) : undefined);
    if (blocked) {
      this.options.metrics?.throttled(attempt.source, blocked.by);
      return blocked;
    }
    let result: T | AuthFailure;
    try {
      result = await check();
    } catch (err) {
      // A store that failed says nothing of the secret: the attempt does not count.
      if (counted) await this.byDevice.reward(deviceId);
      throw err;
    }
    if (typeof result === 'string') await this.failedFrom(attempt, address);
    else if (counted) await this.byDevice.delete(deviceId);
    return result;
  }

  private async addressBlock(address: string | undefined): Promise<LoginBlocked | undefined> {
    if (!this.byAddress || address === undefined) return undefined;
    const res = await this.byAddress.get(address);
    // An expired record lingers until its timer runs: its time left is then not positive.
    if (!res || res.consumedPoints < this.limits.perAddress || res.msBeforeNext <= 0)
      return undefined;
    return new LoginBlocked('address', res.msBeforeNext);
  }

  /**
   * Counts the attempt against its device before its secret is checked, so that logins
   * checked at the same time cannot pass the limit together; a success takes it back.
   */
  private async admit(
    attempt: LoginAttempt,
    address: string | undefined,
  ): Promise<LoginBlocked | undefined> {
    try {
      await this.byDevice.consume(attempt.deviceId);
      return undefined;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      // The attempt that started the block: later ones find it set (and are not told of).
      if (res.consumedPoints === this.limits.perDevice + 1)
        this.warn(
          attempt,
          address,
          this.limits.perDevice,
          'too many failed logins: this device blocked',
        );
      return new LoginBlocked('device', res.msBeforeNext);
    }
  }

  /** Counts a failure against its address; the one that reaches the limit starts the block. */
  private async failedFrom(attempt: LoginAttempt, address: string | undefined): Promise<void> {
    if (!this.byAddress || address === undefined) return;
    const res = await this.byAddress.penalty(address);
    if (res.consumedPoints !== this.limits.perAddress) return;
    await this.byAddress.block(address, this.limits.blockSeconds);
    this.warn(
      attempt,
      address,
      this.limits.perAddress,
      'too many failed logins: this address blocked',
    );
  }

  private warn(
    attempt: LoginAttempt,
    address: string | undefined,
    failures: number,
    message: string,
  ): void {
    const { windowSeconds, blockSeconds } = this.limits;
    this.options.logger.warn(
      { ...attempt, address, failures, windowSeconds, blockSeconds },
      message,
    );
  }
}
