//! Quick-look PNGs: the product decimated to at most `MAX_SIDE` pixels a
//! side while the blocks stream past (memory stays bounded), coloured with
//! viridis on a linear or log10 scale between the 2nd and 98th percentiles,
//! masked pixels grey, with a colour bar and its tick values. Written with
//! the `png` crate (image-rs's PNG codec), atomically like the products.
//! Swaths are shown in image (line, pixel) space; bins on a lat/lon grid.

use std::path::Path;

use super::atomic::AtomicFile;
use super::{Block, GranuleInfo, Layout};
use crate::error::{Error, Result};

const MAX_SIDE: usize = 1024;
const GREY: [u8; 3] = [128, 128, 128];
const BAR_WIDTH: usize = 100;

/// matplotlib's viridis (CC0; van der Walt & Smith) at 10 even stops.
const VIRIDIS: [[u8; 3]; 10] = [
    [0x44, 0x01, 0x54],
    [0x48, 0x28, 0x78],
    [0x3e, 0x49, 0x89],
    [0x31, 0x68, 0x8e],
    [0x26, 0x82, 0x8e],
    [0x1f, 0x9e, 0x89],
    [0x35, 0xb7, 0x79],
    [0x6e, 0xce, 0x58],
    [0xb5, 0xde, 0x2b],
    [0xfd, 0xe7, 0x25],
];

fn viridis(t: f32) -> [u8; 3] {
    let x = t.clamp(0.0, 1.0) * 9.0;
    let i = (x.floor() as usize).min(8);
    let f = x - i as f32;
    std::array::from_fn(|k| (VIRIDIS[i][k] as f32 * (1.0 - f) + VIRIDIS[i + 1][k] as f32 * f).round() as u8)
}

/// A 3x5 pixel font for tick values (rows top to bottom, 3 bits each).
fn glyph(c: char) -> [u8; 5] {
    match c {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 7, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 1, 1],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        '.' => [0, 0, 0, 0, 2],
        '-' => [0, 0, 7, 0, 0],
        'e' => [0, 7, 7, 4, 7],
        '+' => [0, 2, 7, 2, 0],
        _ => [0; 5],
    }
}

/// A decimated copy of one product, filled block by block.
pub struct QuickLook {
    width: usize,
    height: usize,
    step: usize,
    values: Vec<f32>,
    bins: bool,
}

impl QuickLook {
    pub fn new(info: &GranuleInfo) -> QuickLook {
        match info.layout {
            Layout::Bins { .. } => QuickLook { width: 720, height: 360, step: 1, values: vec![f32::NAN; 720 * 360], bins: true },
            _ => {
                let step = info.rows.max(info.cols).div_ceil(MAX_SIDE).max(1);
                let (width, height) = (info.cols.div_ceil(step), info.rows.div_ceil(step));
                QuickLook { width, height, step, values: vec![f32::NAN; width * height], bins: false }
            }
        }
    }

    pub fn add_block(&mut self, block: &Block, values: &[f32]) {
        if self.bins {
            for ((&v, &lat), &lon) in values.iter().zip(&block.lat).zip(&block.lon) {
                let r = (((90.0 - lat) / 180.0 * self.height as f32) as usize).min(self.height - 1);
                let c = (((lon + 180.0) / 360.0 * self.width as f32) as usize).min(self.width - 1);
                self.values[r * self.width + c] = v;
            }
            return;
        }
        let src_cols = values.len() / block.nrows.max(1);
        for r in (block.row0..block.row0 + block.nrows).filter(|r| r % self.step == 0) {
            let src = &values[(r - block.row0) * src_cols..][..src_cols];
            let dst = &mut self.values[(r / self.step) * self.width..][..self.width];
            for (d, s) in dst.iter_mut().zip(src.iter().step_by(self.step)) {
                *d = *s;
            }
        }
    }

    /// Writes the PNG (atomically, `formats::atomic`).
    pub fn write_png(&self, dest: &Path, log_scale: bool) -> Result<()> {
        let tf = |v: f32| if log_scale { v.log10() } else { v };
        let mut valid: Vec<f32> = self.values.iter().copied().filter(|v| v.is_finite() && (!log_scale || *v > 0.0)).map(tf).collect();
        valid.sort_by(f32::total_cmp);
        let pick = |q: f32| valid.get((valid.len().saturating_sub(1) as f32 * q) as usize).copied();
        let (lo, hi) = match (pick(0.02), pick(0.98)) {
            (Some(a), Some(b)) if b > a => (a, b),
            (Some(a), _) => (a - 0.5, a + 0.5),
            _ => (0.0, 1.0),
        };
        let (w, h) = (self.width + BAR_WIDTH, self.height.max(120));
        let mut img = vec![255u8; w * h * 3];
        let mut put = |x: usize, y: usize, c: [u8; 3]| img[(y * w + x) * 3..][..3].copy_from_slice(&c);
        for y in 0..self.height {
            for x in 0..self.width {
                let v = self.values[y * self.width + x];
                let c = if v.is_finite() && (!log_scale || v > 0.0) { viridis((tf(v) - lo) / (hi - lo)) } else { GREY };
                put(x, y, c);
            }
        }
        // Colour bar: top = high, with the values at top, middle and bottom.
        let (x0, bar_h) = (self.width + 8, h - 20);
        for y in 0..bar_h {
            let c = viridis(1.0 - y as f32 / (bar_h - 1) as f32);
            (x0..x0 + 16).for_each(|x| put(x, y + 10, c));
        }
        for (i, t) in [1.0f32, 0.5, 0.0].iter().enumerate() {
            let v = lo + (hi - lo) * t;
            let label = format!("{:.3}", if log_scale { 10f32.powf(v) } else { v });
            let y = 10 + (bar_h - 1) * i / 2;
            for (k, ch) in label.chars().take(8).enumerate() {
                for (gy, bits) in glyph(ch).iter().enumerate() {
                    for gx in 0..3 {
                        if bits >> (2 - gx) & 1 == 1 {
                            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                                let (px, py) = (x0 + 20 + k * 8 + gx * 2 + dx, (y + gy * 2 + dy).saturating_sub(5));
                                if px < w && py < h {
                                    put(px, py, [0, 0, 0]);
                                }
                            }
                        }
                    }
                }
            }
        }
        let out = AtomicFile::new(dest)?;
        let write = || -> std::result::Result<(), Box<dyn std::error::Error>> {
            let file = std::io::BufWriter::new(std::fs::File::create(out.path())?);
            let mut enc = png::Encoder::new(file, w as u32, h as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header()?;
            writer.write_image_data(&img)?;
            writer.finish()?;
            Ok(())
        };
        write().map_err(|e| Error::file(dest, format!("writing the quick-look: {e}")))?;
        out.commit().map(|_| ())
    }
}
