import { describe, expect, it } from 'vitest';
import { topicOfSubject } from './jetstreamSource.ts';

describe('topicOfSubject', () => {
  it("reads back the MQTT topic NATS's listener turned into a subject", () => {
    expect(topicOfSubject('ioc.traffic.seg-0001')).toBe('ioc/traffic/seg-0001');
    expect(topicOfSubject('ioc.camera.cam-001.status')).toBe('ioc/camera/cam-001/status');
    // a dot of the topic became `//`
    expect(topicOfSubject('ioc.kpi.aqi//pm25')).toBe('ioc/kpi/aqi.pm25');
  });
});
