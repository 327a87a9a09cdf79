import { describe, expect, it } from 'vitest';
import { chargingStatus, NO_PAYMENT_GATEWAY } from './charging';

describe('chargingStatus', () => {
  it('says charging is off without a gateway, whatever the switch says', () => {
    for (const enabled of [true, false, null]) {
      const status = chargingStatus(null, enabled);
      expect(status.tone).toBe('off');
      expect(status.headline).toBe('No payment gateway: charging is off.');
      expect(status.detail).toContain('Mark as paid');
    }
    expect(chargingStatus(undefined, true).headline).toBe(NO_PAYMENT_GATEWAY);
  });

  it('names a test gateway as one that moves no money', () => {
    const status = chargingStatus({ name: 'Test gateway', test: true }, true);
    expect(status.tone).toBe('test');
    expect(status.headline).toBe('Test gateway: charges are simulated and no money moves (a test or demo book).');
    expect(status.detail).toContain('charges due invoices');
    expect(chargingStatus({ name: 'Test gateway', test: true }, false).detail).toContain('switched off');
    expect(chargingStatus({ name: 'Test gateway', test: true }, null).detail).toBe('');
  });

  it('names a real gateway', () => {
    expect(chargingStatus({ name: 'Stripe', test: false }, true)).toMatchObject({ tone: 'on', headline: 'Charging through Stripe.' });
  });
});
