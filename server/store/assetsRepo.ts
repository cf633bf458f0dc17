import type { CityModel } from '#contract/assets.ts';
import type { Db } from './db.ts';

/**
 * Upserts every asset of the city model by id (names, limits, geometry follow the file); assets no
 * longer in the model stay, as stored readings and incidents may refer to them.
 */
export async function saveCity(db: Db, city: CityModel): Promise<void> {
  // One JSON parameter per table: thousands of assets in one statement, no bind-parameter limit.
  const districts = city.districts.map((d) => ({
    id: d.id,
    name: d.name,
    geom: { type: 'Polygon', coordinates: [d.ring] },
  }));
  const segments = city.segments.map((s) => ({
    id: s.id,
    name: s.name,
    speed_limit_kmh: s.speedLimitKmh,
    district_id: s.districtId ?? null,
    coords: s.coords,
  }));
  const cameras = city.cameras.map((c) => ({
    id: c.id,
    name: c.name,
    lon: c.lon,
    lat: c.lat,
    segment_id: c.segmentId ?? null,
    district_id: c.districtId ?? null,
  }));
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO districts (id, name, geom)
       SELECT id, name, geom FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, geom jsonb)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, geom = excluded.geom`,
      [JSON.stringify(districts)],
    );
    await tx.query(
      `INSERT INTO segments (id, name, speed_limit_kmh, district_id, coords)
       SELECT id, name, speed_limit_kmh, district_id, coords
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, speed_limit_kmh real, district_id text, coords jsonb)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, speed_limit_kmh = excluded.speed_limit_kmh,
         district_id = excluded.district_id, coords = excluded.coords`,
      [JSON.stringify(segments)],
    );
    await tx.query(
      `INSERT INTO cameras (id, name, lon, lat, segment_id, district_id)
       SELECT id, name, lon, lat, segment_id, district_id
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, name text, lon double precision, lat double precision, segment_id text, district_id text)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
         segment_id = excluded.segment_id, district_id = excluded.district_id`,
      [JSON.stringify(cameras)],
    );
  });
}

/** Those of `ids` that are a segment or a camera of the stored city, or an indicator of the catalogue (sql/014). */
export async function knownAssetIds(db: Db, ids: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM segments WHERE id = ANY($1) UNION SELECT id FROM cameras WHERE id = ANY($1)
     UNION SELECT id FROM indicators WHERE id = ANY($1) UNION SELECT id FROM units WHERE id = ANY($1)`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/** Every segment and camera id of the stored city (none before the IOC's first start). */
export async function allAssetIds(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM segments UNION ALL SELECT id FROM cameras');
  return rows.map((r) => r.id);
}

/** The stored city's segment and camera ids, apart (an asset's kind decides its topics). */
export async function cityAssetIds(db: Db): Promise<{ segments: Set<string>; cameras: Set<string> }> {
  const seg = await db.query<{ id: string }>('SELECT id FROM segments');
  const cam = await db.query<{ id: string }>('SELECT id FROM cameras');
  return { segments: new Set(seg.rows.map((r) => r.id)), cameras: new Set(cam.rows.map((r) => r.id)) };
}

/** Whether a city model is stored yet (the IOC stores it on its first start). */
export async function hasCityModel(db: Db): Promise<boolean> {
  return (await db.query('SELECT 1 FROM segments LIMIT 1')).rows.length > 0;
}
