//! Quick-look PNGs: the product decimated to at most `MAX_SIDE` pixels a
//! side while the blocks stream past (memory stays bounded), coloured with
//! viridis (the `colorous` crate) on the product's fixed display scale (the
//! registry's `display_range`, NASA OBPG's where NASA has one) or a 2-98%
//! stretch, with a title (product, units, sensor, date), a colour bar with
//! ticks in physical units and a legend for masked pixels, in DejaVu Sans
//! (rasterised by `ab_glyph`). Written with the `png` crate, atomically like
//! the products. Swaths are shown in image (line, pixel) space; bins on a
//! lat/lon grid.

use std::path::Path;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use super::atomic::AtomicFile;
use super::{Block, GranuleInfo, Layout};
use crate::error::{Error, Result};

const MAX_SIDE: usize = 1024;
/// No data: masked by flags, land, or not computed. Out of the colour scale, so
/// never mistaken for a valid low value (which takes the scale's lowest colour).
const NO_DATA: [u8; 3] = [190, 190, 190];
const INK: [u8; 3] = [0, 0, 0];
/// Rows above the image (the title): the image's first row is row TITLE_H of the PNG.
const TITLE_H: usize = 34;
const PANEL_W: usize = 150;
const FOOTER_H: usize = 24;
/// DejaVu Sans 2.37 (Bitstream Vera licence, reproduced in LICENSE-THIRD-PARTY.md).
const FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// How values map to colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// A fixed range (the product's display range), log10 or linear.
    Fixed { min: f32, max: f32, log: bool },
    /// The 2nd to 98th percentile of the image's valid values.
    Stretch { log: bool },
}

/// What the image says about itself.
pub struct Legend<'a> {
    pub product: &'a str,
    pub units: &'a str,
    pub sensor: &'a str,
    /// The first day of the data (YYYY-MM-DD), or empty.
    pub date: &'a str,
    pub simulated: bool,
}

fn viridis(t: f32) -> [u8; 3] {
    let c = colorous::VIRIDIS.eval_continuous(t.clamp(0.0, 1.0) as f64);
    [c.r, c.g, c.b]
}

/// Tick values inside [lo, hi] (physical units): for a log scale the 1-2-5 (then
/// 1-3, then decades) sequence, as NASA's colour bars label chlorophyll; for a linear
/// one, multiples of a 1-2-5 step; at most 8.
fn ticks(lo: f32, hi: f32, log: bool) -> Vec<f32> {
    let (lo, hi) = (lo as f64, hi as f64);
    if log {
        for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 3.0], &[1.0]] {
            let mut t = Vec::new();
            for e in lo.log10().floor() as i32..=hi.log10().ceil() as i32 {
                for m in mantissas {
                    let v = m * 10f64.powi(e);
                    if v >= lo * (1.0 - 1e-6) && v <= hi * (1.0 + 1e-6) {
                        t.push(v as f32);
                    }
                }
            }
            if t.len() <= 8 {
                return t;
            }
        }
        return vec![lo as f32, hi as f32];
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| (hi - lo) / s <= 7.0).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    (first..).map(|k| k as f64 * step).take_while(|v| *v <= hi + 1e-9 * step).map(|v| v as f32).collect()
}

/// A tick label: short, no trailing zeros.
fn label(v: f32) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        return format!("{v:.0e}");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An RGB canvas with text.
struct Canvas {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
    font: FontRef<'static>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Result<Self> {
        let font = FontRef::try_from_slice(FONT).map_err(|e| Error::InvalidParameter { name: "font".into(), reason: format!("the embedded font: {e}") })?;
        Ok(Canvas { w, h, rgb: vec![255; w * h * 3], font })
    }

    fn put(&mut self, x: usize, y: usize, c: [u8; 3]) {
        if x < self.w && y < self.h {
            self.rgb[(y * self.w + x) * 3..][..3].copy_from_slice(&c);
        }
    }

    /// Draws `text` with its baseline at `y`, starting at `x` (anti-aliased, black).
    fn text(&mut self, text: &str, x: f32, y: f32, px: f32) {
        let f = self.font.as_scaled(PxScale::from(px));
        let mut pen = x;
        for c in text.chars() {
            let id = f.glyph_id(c);
            let glyph = id.with_scale_and_position(px, ab_glyph::point(pen, y));
            pen += f.h_advance(id);
            if let Some(g) = self.font.outline_glyph(glyph) {
                let b = g.px_bounds();
                g.draw(|gx, gy, cov| {
                    let (px_, py_) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
                    if px_ >= 0 && py_ >= 0 && (px_ as usize) < self.w && (py_ as usize) < self.h {
                        let i = (py_ as usize * self.w + px_ as usize) * 3;
                        for (px, ink) in self.rgb[i..i + 3].iter_mut().zip(INK) {
                            let bg = *px as f32;
                            *px = (bg + (ink as f32 - bg) * cov.clamp(0.0, 1.0)).round() as u8;
                        }
                    }
                });
            }
        }
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
    pub fn write_png(&self, dest: &Path, scale: Scale, legend: &Legend) -> Result<()> {
        let log = match scale {
            Scale::Fixed { log, .. } | Scale::Stretch { log } => log,
        };
        let tf = |v: f32| if log { v.log10() } else { v };
        let valid = |v: f32| v.is_finite() && (!log || v > 0.0);
        let (lo, hi) = match scale {
            Scale::Fixed { min, max, .. } => (tf(min), tf(max)),
            Scale::Stretch { .. } => {
                let mut vals: Vec<f32> = self.values.iter().copied().filter(|&v| valid(v)).map(tf).collect();
                vals.sort_by(f32::total_cmp);
                let pick = |q: f32| vals.get((vals.len().saturating_sub(1) as f32 * q) as usize).copied();
                match (pick(0.02), pick(0.98)) {
                    (Some(a), Some(b)) if b > a => (a, b),
                    (Some(a), _) => (a - 0.5, a + 0.5),
                    _ => (0.0, 1.0),
                }
            }
        };
        let colour = |v: f32| -> [u8; 3] {
            if !v.is_finite() {
                NO_DATA
            } else if log && v <= 0.0 {
                viridis(0.0) // a valid zero (or below) on a log scale: the lowest colour
            } else {
                viridis((tf(v) - lo) / (hi - lo))
            }
        };
        let (iw, ih) = (self.width, self.height.max(160));
        let (w, h) = (iw + PANEL_W, TITLE_H + ih + FOOTER_H);
        let mut c = Canvas::new(w, h)?;
        for y in 0..self.height {
            for x in 0..self.width {
                c.put(x, TITLE_H + y, colour(self.values[y * self.width + x]));
            }
        }
        // Title: product [units], sensor, date.
        let mut title = format!("{} [{}]   {}", legend.product, legend.units, legend.sensor);
        if !legend.date.is_empty() {
            title.push_str(&format!("   {}", legend.date));
        }
        if legend.simulated {
            title.push_str("   SIMULATED");
        }
        c.text(&title, 6.0, 23.0, 16.0);
        // Colour bar: top = high, ticks in physical units.
        let (bx, by, bw, bh) = (iw + 14, TITLE_H + 8, 18usize, ih - 16);
        for y in 0..bh {
            let col = viridis(1.0 - y as f32 / (bh - 1).max(1) as f32);
            (bx..bx + bw).for_each(|x| c.put(x, by + y, col));
        }
        let to_phys = |t: f32| if log { 10f32.powf(t) } else { t };
        for v in ticks(to_phys(lo), to_phys(hi), log) {
            let f = (tf(v) - lo) / (hi - lo);
            let y = by + ((1.0 - f) * (bh - 1) as f32).round() as usize;
            (bx + bw..bx + bw + 5).for_each(|x| c.put(x, y, INK));
            c.text(&label(v), (bx + bw + 8) as f32, y as f32 + 5.0, 13.0);
        }
        let how = match scale {
            Scale::Fixed { .. } => format!("{} scale", if log { "log10" } else { "linear" }),
            Scale::Stretch { .. } => format!("{} scale, 2-98% stretch", if log { "log10" } else { "linear" }),
        };
        // Footer: the no-data swatch and the scale.
        let fy = TITLE_H + ih + 4;
        for y in fy..fy + 14 {
            (6..20).for_each(|x| c.put(x, y, NO_DATA));
        }
        c.text(&format!("no data (masked or not computed)     {how}"), 26.0, (fy + 12) as f32, 13.0);
        let out = AtomicFile::new(dest)?;
        let write = || -> std::result::Result<(), Box<dyn std::error::Error>> {
            let file = std::io::BufWriter::new(std::fs::File::create(out.path())?);
            let mut enc = png::Encoder::new(file, w as u32, h as u32);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header()?;
            writer.write_image_data(&c.rgb)?;
            writer.finish()?;
            Ok(())
        };
        write().map_err(|e| Error::file(dest, format!("writing the quick-look: {e}")))?;
        out.commit().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_follow_nasa_chlorophyll_labels() {
        // SeaDAS/SNAP chlor_a scheme: 0.01-20 mg m-3, labels 0.01, 0.03, ..., 10, 20.
        assert_eq!(ticks(0.01, 20.0, true), [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]);
        assert_eq!(ticks(0.1, 1.0, true), [0.1, 0.2, 0.5, 1.0]);
        assert_eq!(ticks(0.0, 1.0, false), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(label(0.03), "0.03");
        assert_eq!(label(20.0), "20");
    }
}
