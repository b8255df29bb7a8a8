import { ConfigError, loadConfig, parseDuration } from '../../src/config';

const TENANT = '0b6b5a0e-0d0a-4f3e-9a53-2f6c4b1d9e01';
const CLIENT = '6c3f2d1e-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
const SECRET = 'very-secret-value-123';

function problemsOf(env: NodeJS.ProcessEnv, requirePartnerCenter = true): string[] {
  try {
    loadConfig({ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', ...env }, { requirePartnerCenter });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const valid = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET };

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig({ ...valid }, { requirePartnerCenter: true });
    expect(config.taskQueue).toBe('partner-center');
    expect(config.partnerCenter).toEqual({
      baseUrl: 'https://api.partnercenter.microsoft.com',
      graphBaseUrl: 'https://graph.microsoft.com',
      pricingBaseUrl: 'https://api.partner.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      tenantId: TENANT,
      clientId: CLIENT,
      credential: { clientSecret: SECRET },
      refreshToken: undefined,
    });
    expect(config.requestsPerMinute).toBe(400);
    expect(config.orderPollIntervalMs).toBe(15_000);
    expect(config.orderPollMaxIntervalMs).toBe(210_000);
    expect(config.orderVisibilityDeadlineMs).toBe(30 * 60_000);
    expect(config.subscriptionChangeDeadlineMs).toBe(30 * 60_000);
    expect(config.approvalTimeoutMs).toBe(7 * 86_400_000);
    expect(config.metricsPort).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.temporal.namespace).toBe('default');
  });

  it('reads every setting it is given', () => {
    const config = loadConfig(
      {
        ...valid,
        TEMPORAL_ADDRESS: '127.0.0.1:7999',
        TEMPORAL_NAMESPACE: 'billing',
        TEMPORAL_TASK_QUEUE: 'pc-eu',
        PARTNER_CENTER_BASE_URL: 'http://127.0.0.1:8091/',
        AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8092',
        PARTNER_CENTER_REFRESH_TOKEN: 'rt',
        PARTNER_CENTER_REQUESTS_PER_MINUTE: '120',
        ORDER_POLL_INTERVAL: '500ms',
        ORDER_POLL_MAX_INTERVAL: '2m',
        ORDER_VISIBILITY_DEADLINE: '1h',
        APPROVAL_TIMEOUT: '36h',
        SUBSCRIPTION_CHANGE_DEADLINE: '2h',
        METRICS_PORT: '9464',
        LOG_LEVEL: 'DEBUG',
      },
      { requirePartnerCenter: true },
    );
    expect(config.temporal.connectionOptions.address).toBe('127.0.0.1:7999');
    expect(config.temporal.namespace).toBe('billing');
    expect(config.taskQueue).toBe('pc-eu');
    expect(config.partnerCenter?.baseUrl).toBe('http://127.0.0.1:8091');
    expect(config.partnerCenter?.authorityHost).toBe('https://127.0.0.1:8092');
    expect(config.partnerCenter?.refreshToken).toBe('rt');
    expect(config.requestsPerMinute).toBe(120);
    expect(config.orderPollIntervalMs).toBe(500);
    expect(config.orderPollMaxIntervalMs).toBe(2 * 60_000);
    expect(config.orderVisibilityDeadlineMs).toBe(3_600_000);
    expect(config.approvalTimeoutMs).toBe(36 * 3_600_000);
    expect(config.subscriptionChangeDeadlineMs).toBe(2 * 3_600_000);
    expect(config.metricsPort).toBe(9464);
    expect(config.logLevel).toBe('debug');
  });

  it('lists every problem at once, naming each variable and the rule', () => {
    const problems = problemsOf({
      TEMPORAL_TASK_QUEUE: '',
      PARTNER_CENTER_BASE_URL: 'ftp://x',
      AZURE_CLIENT_ID: CLIENT,
      PARTNER_CENTER_REQUESTS_PER_MINUTE: 'lots',
      ORDER_POLL_INTERVAL: 'soon',
      SUBSCRIPTION_CHANGE_DEADLINE: '10 minutes',
      METRICS_PORT: '70000',
      LOG_LEVEL: 'loud',
    });
    const text = problems.join('\n');
    expect(text).toMatch(/TEMPORAL_TASK_QUEUE: must not be empty/);
    expect(text).toMatch(/PARTNER_CENTER_BASE_URL: must be an https URL .*"ftp:\/\/x"/);
    expect(text).toMatch(/AZURE_TENANT_ID: required/);
    expect(text).toMatch(/AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: one app credential is required/);
    expect(text).toMatch(/PARTNER_CENTER_REQUESTS_PER_MINUTE: must be a whole number/);
    expect(text).toMatch(/ORDER_POLL_INTERVAL: must be a duration/);
    expect(text).toMatch(/SUBSCRIPTION_CHANGE_DEADLINE: must be a duration/);
    expect(text).toMatch(/METRICS_PORT: must be a TCP port/);
    expect(text).toMatch(/LOG_LEVEL: must be one of/);
    expect(problems).toHaveLength(9);
  });

  describe('ORDER_POLL_MAX_INTERVAL', () => {
    it('must be a duration no shorter than ORDER_POLL_INTERVAL, listed with the other problems', () => {
      expect(problemsOf({ ...valid, ORDER_POLL_MAX_INTERVAL: 'later' })).toEqual([
        'ORDER_POLL_MAX_INTERVAL: must be a duration such as 500ms, 15s, 30m, 1h or 7d, at least 100 ms (got "later")',
      ]);
      expect(
        problemsOf({ ...valid, ORDER_POLL_INTERVAL: '30s', ORDER_POLL_MAX_INTERVAL: '20s', LOG_LEVEL: 'loud' }),
      ).toEqual([
        expect.stringMatching(/^LOG_LEVEL: must be one of/),
        'ORDER_POLL_MAX_INTERVAL: must be at least ORDER_POLL_INTERVAL (30000 ms), the interval it grows from (got "20s")',
      ]);
      // Below the 210s default: checked against the default interval of 15s.
      expect(problemsOf({ ...valid, ORDER_POLL_MAX_INTERVAL: '10s' }).join()).toMatch(
        /^ORDER_POLL_MAX_INTERVAL: must be at least ORDER_POLL_INTERVAL \(15000 ms\)/,
      );
    });

    it('may equal ORDER_POLL_INTERVAL: a constant interval, as before it existed', () => {
      const config = loadConfig(
        { ...valid, ORDER_POLL_INTERVAL: '20s', ORDER_POLL_MAX_INTERVAL: '20s' },
        { requirePartnerCenter: true },
      );
      expect([config.orderPollIntervalMs, config.orderPollMaxIntervalMs]).toEqual([20_000, 20_000]);
    });

    it('unset, is 210s, or ORDER_POLL_INTERVAL when that is longer', () => {
      const config = loadConfig({ ...valid, ORDER_POLL_INTERVAL: '10m' }, { requirePartnerCenter: true });
      expect([config.orderPollIntervalMs, config.orderPollMaxIntervalMs]).toEqual([10 * 60_000, 10 * 60_000]);
    });
  });

  it('accepts plain http only for loopback hosts', () => {
    expect(problemsOf({ ...valid, PARTNER_CENTER_BASE_URL: 'http://partner.example.com' }).join()).toMatch(
      /PARTNER_CENTER_BASE_URL: must be an https URL \(plain http only for a loopback host/,
    );
    for (const url of ['http://127.0.0.1:8091', 'http://localhost:1', 'http://[::1]:8091']) {
      expect(
        loadConfig({ ...valid, PARTNER_CENTER_BASE_URL: url }, { requirePartnerCenter: true }).partnerCenter?.baseUrl,
      ).toBe(url);
    }
    expect(problemsOf({ ...valid, AZURE_AUTHORITY_HOST: 'http://127.0.0.1:1' }).join()).toMatch(
      /AZURE_AUTHORITY_HOST: must be an https URL/,
    );
  });

  it('lists a malformed TEMPORAL_ADDRESS with the other problems instead of trying to connect to it', () => {
    const problems = problemsOf({ ...valid, TEMPORAL_ADDRESS: 'nonsense::::', LOG_LEVEL: 'loud' });
    expect(problems).toEqual([
      expect.stringMatching(/^LOG_LEVEL: must be one of/),
      'TEMPORAL_ADDRESS: must be host:port such as localhost:7233 or temporal.example.com:7233, an IPv6 address in brackets ([::1]:7233) (got "nonsense::::")',
    ]);
    for (const address of [
      'temporal.example.com:7233',
      'localhost',
      '127.0.0.1:7999',
      '[::1]:7233',
      'temporal_frontend:7233',
    ]) {
      expect(
        loadConfig({ ...valid, TEMPORAL_ADDRESS: address }, { requirePartnerCenter: true }).temporal.connectionOptions
          .address,
      ).toBe(address);
    }
    for (const address of [
      'host:0',
      'host:65536',
      '[nonsense]:7233',
      'http://host:7233',
      'host:7233/path',
      'two words:7233',
    ]) {
      expect(problemsOf({ ...valid, TEMPORAL_ADDRESS: address }).join()).toMatch(
        /^TEMPORAL_ADDRESS: must be host:port/,
      );
    }
  });

  it('refuses a Partner Center base URL ending in /v1, which the client adds itself', () => {
    for (const url of ['https://api.partnercenter.microsoft.com/v1', 'https://api.partnercenter.microsoft.com/V1/']) {
      expect(problemsOf({ ...valid, PARTNER_CENTER_BASE_URL: url })).toEqual([
        `PARTNER_CENTER_BASE_URL: must be the API root without /v1, which the client adds to every path (got "${url.replace(/\/$/, '')}", use "https://api.partnercenter.microsoft.com")`,
      ]);
    }
    // Only a last path segment of exactly "v1": a gateway's own prefix stays.
    const gateway = 'https://gateway.example.com/partner-center/v10';
    expect(
      loadConfig({ ...valid, PARTNER_CENTER_BASE_URL: gateway }, { requirePartnerCenter: true }).partnerCenter?.baseUrl,
    ).toBe(gateway);
  });

  it('refuses two credentials, malformed ids and an unreadable certificate', () => {
    const text = problemsOf({
      AZURE_TENANT_ID: 'not a tenant',
      AZURE_CLIENT_ID: 'abc',
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_CLIENT_CERTIFICATE_PATH: '/nonexistent/cert.pem',
    }).join('\n');
    expect(text).toMatch(/AZURE_TENANT_ID: must be a tenant GUID or a domain/);
    expect(text).toMatch(/AZURE_CLIENT_ID: must be the application \(client\) GUID/);
    expect(text).toMatch(/AZURE_CLIENT_CERTIFICATE_PATH: must be a readable PEM file/);
    expect(text).toMatch(/set only one app credential, not both/);
  });

  it('never shows a secret value in its message', () => {
    const error = (() => {
      try {
        loadConfig(
          { AZURE_CLIENT_SECRET: SECRET, PARTNER_CENTER_REFRESH_TOKEN: 'refresh-secret-xyz', TEMPORAL_TASK_QUEUE: '' },
          { requirePartnerCenter: true },
        );
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toMatch(/AZURE_TENANT_ID: required/);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('refresh-secret-xyz');
  });

  it('lets npm start run without Partner Center settings, but not with half of them', () => {
    expect(loadConfig({}, { requirePartnerCenter: false }).partnerCenter).toBeUndefined();
    expect(problemsOf({ AZURE_CLIENT_ID: CLIENT }, false).join()).toMatch(/one app credential is required/);
    expect(problemsOf({}, true).join()).toMatch(/AZURE_TENANT_ID: required/);
  });
});

describe('PARTNER_CENTER_WEBHOOK_CERT_HOSTS', () => {
  it('is a list of lower-case hosts, each with an optional port, empty when unset', () => {
    expect(loadConfig({}, { requirePartnerCenter: false }).partnerCenterEventCertHosts).toEqual([]);
    const config = loadConfig(
      { PARTNER_CENTER_WEBHOOK_CERT_HOSTS: ' Certs.Example.com, 127.0.0.1:8443 ,' },
      { requirePartnerCenter: false },
    );
    expect(config.partnerCenterEventCertHosts).toEqual(['certs.example.com', '127.0.0.1:8443']);
  });

  it.each([
    'https://certs.example.com',
    'certs.example.com:0',
    'certs.example.com:65536',
    'certs.example.com:443:1',
    'certs.example.com/path',
  ])('refuses %j', (entry) =>
    expect(problemsOf({ PARTNER_CENTER_WEBHOOK_CERT_HOSTS: entry }, false).join()).toMatch(
      /PARTNER_CENTER_WEBHOOK_CERT_HOSTS: must be comma-separated hosts such as certs.example.com or 127.0.0.1:8443/,
    ),
  );
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['15s', 15_000],
    ['1.5s', 1500],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'fifteen seconds', '-1s', '1w'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});
