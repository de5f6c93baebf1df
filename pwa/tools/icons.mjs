// Draws Recap's app icons as PNG files: a white circular arrow ("recap": it comes back) on the
// brand blue. Drawn in code so the repository holds no binary images; run by build.mjs.
import { deflateSync } from "node:zlib";

const BLUE = [11, 87, 208];
const WHITE = [255, 255, 255];

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function encodePng(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Coverage (0..1) of the arrow at a point in unit coordinates centred on 0. */
function arrow(u, v, scale) {
  const r = Math.hypot(u, v) / scale;
  const angle = Math.atan2(v, u); // -pi..pi, 0 to the right, clockwise on screen
  const onRing = r > 0.46 && r < 0.66 && !(angle > -1.9 && angle < -0.6);
  // Arrow head at the end of the ring's gap, pointing along the ring.
  const hx = (Math.cos(-0.6) * 0.56) * scale;
  const hy = (Math.sin(-0.6) * 0.56) * scale;
  const dx = (u - hx) / scale;
  const dy = (v - hy) / scale;
  const along = dx * Math.cos(-0.6 - Math.PI / 2) + dy * Math.sin(-0.6 - Math.PI / 2);
  const across = -dx * Math.sin(-0.6 - Math.PI / 2) + dy * Math.cos(-0.6 - Math.PI / 2);
  const onHead = along > -0.02 && along < 0.26 && Math.abs(across) < 0.2 * (1 - along / 0.26);
  return onRing || onHead;
}

/** An icon of `size` pixels; `maskable` keeps the drawing inside the safe zone (80 %). */
export function icon(size, { maskable = false } = {}) {
  const scale = maskable ? 0.36 : 0.45;
  const radius = maskable ? 0 : size * 0.18;
  return encodePng(size, (x, y) => {
    const cx = x + 0.5 - size / 2;
    const cy = y + 0.5 - size / 2;
    const half = size / 2;
    const qx = Math.max(Math.abs(cx) - (half - radius), 0);
    const qy = Math.max(Math.abs(cy) - (half - radius), 0);
    if (Math.hypot(qx, qy) > radius) return [0, 0, 0, 0]; // outside the rounded square
    return arrow(cx / size, cy / size, scale) ? [...WHITE, 255] : [...BLUE, 255];
  });
}

export const ICONS = [
  { file: "icon-192.png", size: 192, purpose: "any" },
  { file: "icon-512.png", size: 512, purpose: "any" },
  { file: "icon-maskable-192.png", size: 192, purpose: "maskable" },
  { file: "icon-maskable-512.png", size: 512, purpose: "maskable" },
  { file: "apple-touch-icon.png", size: 180, purpose: "apple" },
  { file: "favicon-32.png", size: 32, purpose: "favicon" },
];
