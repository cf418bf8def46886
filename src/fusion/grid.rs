//! Level-3 grids: NASA's integerised sinusoidal (ISIN) equal-area grid and a
//! regular latitude/longitude grid for regional products.
//!
//! ISIN, for `nrows` latitude rows, row 0 at the south pole (NASA OBPG,
//! "Integerized Sinusoidal Binning Scheme for Level 3 Data",
//! https://oceancolor.gsfc.nasa.gov/resources/docs/format/l3bins/; the same
//! formulas as OCSSW `libbin/bin_io.cpp`, `cdf4_bin::close`):
//! - `latbin[r] = (r + 0.5) 180/nrows - 90`
//! - `numbin[r] = (int)(2 nrows cos(latbin[r]) + 0.5)`
//! - `basebin[0] = 1`, `basebin[r] = basebin[r-1] + numbin[r-1]` (bins are 1-based)
//! - centre of bin b in row r: `lon = 360 (b - basebin[r] + 0.5)/numbin[r] - 180`.

use crate::error::{Error, Result};

/// A grid that maps positions to cell numbers and back.
pub trait Grid: Sync {
    /// The cell holding (lon, lat) in degrees, or None outside the grid or for
    /// non-finite positions.
    fn cell(&self, lon: f64, lat: f64) -> Option<u64>;
    /// Centre (lon, lat) of a cell.
    fn centre(&self, cell: u64) -> Option<(f64, f64)>;
    /// Number of cells.
    fn ncells(&self) -> u64;
}

/// NASA's integerised sinusoidal grid.
#[derive(Debug, Clone)]
pub struct IsinGrid {
    nrows: u32,
    numbin: Vec<u64>,
    basebin: Vec<u64>,
    total: u64,
}

impl IsinGrid {
    /// The grid with `nrows` rows (2160 for SeaWiFS 9 km, 4320 for 4 km,
    /// 17280 for 1 km). OCSSW switches to a different scheme for odd row
    /// counts, which ocean-colour products do not use: rejected.
    pub fn new(nrows: u32) -> Result<Self> {
        if nrows < 2 || nrows % 2 != 0 {
            return Err(Error::InvalidParameter { name: "nrows".into(), reason: format!("the ISIN grid needs an even number of rows >= 2, got {nrows}") });
        }
        // 2^24 rows are ~1 m bins and 3.6e14 bins in all (bin numbers stay well inside u64).
        const MAX_ROWS: u32 = 1 << 24;
        if nrows > MAX_ROWS {
            return Err(Error::InvalidParameter { name: "nrows".into(), reason: format!("{nrows} ISIN rows is finer than ~1 m bins: at most {MAX_ROWS}") });
        }
        let n = nrows as usize;
        crate::compute::memory::ensure_fits(n as u128, 16, &format!("an ISIN grid of {nrows} rows"))?;
        let mut numbin = Vec::with_capacity(n);
        let mut basebin = Vec::with_capacity(n);
        let mut next = 1u64;
        for r in 0..n {
            let lat = Self::row_lat(nrows, r);
            // (int)(x + 0.5) as in bin_io.cpp: x > 0 so this is floor(x + 0.5).
            let nb = (2.0 * nrows as f64 * lat.to_radians().cos() + 0.5).floor() as u64;
            numbin.push(nb);
            basebin.push(next);
            next += nb;
        }
        Ok(IsinGrid { nrows, numbin, basebin, total: next - 1 })
    }

    fn row_lat(nrows: u32, r: usize) -> f64 {
        (r as f64 + 0.5) * 180.0 / nrows as f64 - 90.0
    }

    pub fn nrows(&self) -> u32 {
        self.nrows
    }
    /// Number of bins in each row (L3b `BinIndex.max`).
    pub fn numbin(&self) -> &[u64] {
        &self.numbin
    }
    /// First bin of each row (L3b `BinIndex.start_num`).
    pub fn basebin(&self) -> &[u64] {
        &self.basebin
    }
    /// Latitude of the centre of each row.
    pub fn row_lats(&self) -> Vec<f64> {
        (0..self.nrows as usize).map(|r| Self::row_lat(self.nrows, r)).collect()
    }

    /// Row of a latitude, clamped so that +90 falls in the last row.
    pub fn row(&self, lat: f64) -> usize {
        // `as` truncates, which is floor here (the value is >= 0 for valid
        // latitudes; NaN and negatives become 0), without libm's floor call.
        (((90.0 + lat) * self.nrows as f64 / 180.0) as usize).min(self.nrows as usize - 1)
    }

    /// Row holding a (1-based) bin number.
    pub fn row_of_bin(&self, bin: u64) -> Option<usize> {
        if bin < 1 || bin > self.total {
            return None;
        }
        Some(self.basebin.partition_point(|&b| b <= bin) - 1)
    }

    /// (south, north, west, east) edges of a bin.
    pub fn bounds(&self, bin: u64) -> Option<(f64, f64, f64, f64)> {
        let r = self.row_of_bin(bin)?;
        let (lon, lat) = self.centre(bin)?;
        let (dlat, dlon) = (90.0 / self.nrows as f64, 180.0 / self.numbin[r] as f64);
        Some((lat - dlat, lat + dlat, lon - dlon, lon + dlon))
    }
}

/// Longitude folded into [-180, 180) (`rem_euclid` only when needed: it is slow).
#[inline]
fn fold_lon(lon: f64) -> f64 {
    if (-180.0..180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    }
}

impl Grid for IsinGrid {
    fn cell(&self, lon: f64, lat: f64) -> Option<u64> {
        if !lon.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return None;
        }
        let r = self.row(lat);
        let nb = self.numbin[r];
        let c = (((fold_lon(lon) + 180.0) * nb as f64 / 360.0) as u64).min(nb - 1);
        Some(self.basebin[r] + c)
    }

    fn centre(&self, bin: u64) -> Option<(f64, f64)> {
        let r = self.row_of_bin(bin)?;
        let lon = 360.0 * ((bin - self.basebin[r]) as f64 + 0.5) / self.numbin[r] as f64 - 180.0;
        Some((lon, Self::row_lat(self.nrows, r)))
    }

    fn ncells(&self) -> u64 {
        self.total
    }
}

/// A regular latitude/longitude grid. Cells are numbered from 0, row-major,
/// row 0 at the north edge (the orientation of map images and of CMEMS
/// products is a reader's choice; this one matches numpy images).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegularGrid {
    pub lon_min: f64,
    pub lat_max: f64,
    pub dlon: f64,
    pub dlat: f64,
    pub nlon: usize,
    pub nlat: usize,
}

impl RegularGrid {
    /// A grid covering [lon_min, lon_max] x [lat_min, lat_max] with cells of
    /// `dlon` x `dlat` degrees; the extent must be a whole number of cells
    /// (within 1e-6 of a cell).
    pub fn new(lon_min: f64, lon_max: f64, lat_min: f64, lat_max: f64, dlon: f64, dlat: f64) -> Result<Self> {
        let bad = |reason: String| Error::InvalidParameter { name: "regular grid".into(), reason };
        if !(dlon > 0.0 && dlat > 0.0) {
            return Err(bad(format!("resolutions must be positive, got dlon={dlon}, dlat={dlat}")));
        }
        if !(lon_min < lon_max && lat_min < lat_max && lat_min >= -90.0 && lat_max <= 90.0) {
            return Err(bad(format!(
                "bounds must satisfy lon_min < lon_max, -90 <= lat_min < lat_max <= 90; got lon [{lon_min}, {lon_max}], lat [{lat_min}, {lat_max}]"
            )));
        }
        let count = |extent: f64, d: f64, what: &str| -> Result<usize> {
            let n = extent / d;
            if (n - n.round()).abs() > 1e-6 {
                return Err(bad(format!("the {what} extent {extent} is not a whole number of {d}-degree cells")));
            }
            Ok(n.round() as usize)
        };
        let nlon = count(lon_max - lon_min, dlon, "longitude")?;
        let nlat = count(lat_max - lat_min, dlat, "latitude")?;
        // Regular-grid fields (merged, L4, mapped output) are dense: one f64 per cell at least.
        crate::compute::memory::ensure_fits(nlon as u128 * nlat as u128, 8, &format!("a regular grid of {nlat} x {nlon} cells"))?;
        Ok(RegularGrid { lon_min, lat_max, dlon, dlat, nlon, nlat })
    }

    /// Centres of the columns (west to east) and rows (north to south).
    pub fn axes(&self) -> (Vec<f64>, Vec<f64>) {
        let lons = (0..self.nlon).map(|i| self.lon_min + (i as f64 + 0.5) * self.dlon).collect();
        let lats = (0..self.nlat).map(|j| self.lat_max - (j as f64 + 0.5) * self.dlat).collect();
        (lons, lats)
    }
}

impl Grid for RegularGrid {
    fn cell(&self, lon: f64, lat: f64) -> Option<u64> {
        let col = ((lon - self.lon_min) / self.dlon).floor();
        let row = ((self.lat_max - lat) / self.dlat).floor();
        // Comparisons are false for NaN, so non-finite positions fall out here.
        if !(col >= 0.0 && row >= 0.0 && col < self.nlon as f64 && row < self.nlat as f64) {
            return None;
        }
        Some(row as u64 * self.nlon as u64 + col as u64)
    }

    fn centre(&self, cell: u64) -> Option<(f64, f64)> {
        if cell >= self.ncells() {
            return None;
        }
        let (row, col) = ((cell / self.nlon as u64) as f64, (cell % self.nlon as u64) as f64);
        Some((self.lon_min + (col + 0.5) * self.dlon, self.lat_max - (row + 0.5) * self.dlat))
    }

    fn ncells(&self) -> u64 {
        (self.nlon * self.nlat) as u64
    }
}

/// Either grid, as named on the command line and in file metadata:
/// `isin:NROWS` or `regular:LON_MIN,LON_MAX,LAT_MIN,LAT_MAX,DLON,DLAT` (degrees).
#[derive(Debug, Clone)]
pub enum GridSpec {
    Isin(IsinGrid),
    Regular(RegularGrid),
}

impl GridSpec {
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::InvalidParameter {
            name: "grid".into(),
            reason: format!("{text:?}: expected isin:NROWS (e.g. isin:4320) or regular:LON_MIN,LON_MAX,LAT_MIN,LAT_MAX,DLON,DLAT"),
        };
        let (kind, args) = text.split_once(':').ok_or_else(bad)?;
        match kind {
            "isin" => Ok(GridSpec::Isin(IsinGrid::new(args.trim().parse().map_err(|_| bad())?)?)),
            "regular" => {
                let v: Vec<f64> = args.split(',').map(|a| a.trim().parse::<f64>()).collect::<std::result::Result<_, _>>().map_err(|_| bad())?;
                let [a, b, c, d, e, f] = v[..] else { return Err(bad()) };
                Ok(GridSpec::Regular(RegularGrid::new(a, b, c, d, e, f)?))
            }
            _ => Err(bad()),
        }
    }

    /// The text `parse` reads back.
    pub fn describe(&self) -> String {
        match self {
            GridSpec::Isin(g) => format!("isin:{}", g.nrows()),
            GridSpec::Regular(g) => {
                // Rounded to 1e-9 degrees (0.1 mm), so that 0 + 24 x 0.05 reads 1.2.
                let r = |x: f64| (x * 1e9).round() / 1e9;
                format!(
                    "regular:{},{},{},{},{},{}",
                    r(g.lon_min),
                    r(g.lon_min + g.nlon as f64 * g.dlon),
                    r(g.lat_max - g.nlat as f64 * g.dlat),
                    r(g.lat_max),
                    r(g.dlon),
                    r(g.dlat)
                )
            }
        }
    }

    /// Same grid (regular grids: same shape, origins within a millionth of a cell).
    pub fn same_as(&self, other: &GridSpec) -> bool {
        match (self, other) {
            (GridSpec::Isin(a), GridSpec::Isin(b)) => a.nrows() == b.nrows(),
            (GridSpec::Regular(a), GridSpec::Regular(b)) => {
                let close = |x: f64, y: f64, d: f64| (x - y).abs() <= 1e-6 * d;
                (a.nlon, a.nlat) == (b.nlon, b.nlat)
                    && close(a.lon_min, b.lon_min, a.dlon)
                    && close(a.lat_max, b.lat_max, a.dlat)
                    && close(a.dlon * a.nlon as f64, b.dlon * b.nlon as f64, a.dlon)
                    && close(a.dlat * a.nlat as f64, b.dlat * b.nlat as f64, a.dlat)
            }
            _ => false,
        }
    }

    /// Number of the first cell: 1 for ISIN (NASA's bins are 1-based), 0 for regular grids.
    pub fn first_cell(&self) -> u64 {
        match self {
            GridSpec::Isin(_) => 1,
            GridSpec::Regular(_) => 0,
        }
    }
}

impl Grid for GridSpec {
    fn cell(&self, lon: f64, lat: f64) -> Option<u64> {
        match self {
            GridSpec::Isin(g) => g.cell(lon, lat),
            GridSpec::Regular(g) => g.cell(lon, lat),
        }
    }
    fn centre(&self, cell: u64) -> Option<(f64, f64)> {
        match self {
            GridSpec::Isin(g) => g.centre(cell),
            GridSpec::Regular(g) => g.centre(cell),
        }
    }
    fn ncells(&self) -> u64 {
        match self {
            GridSpec::Isin(g) => g.ncells(),
            GridSpec::Regular(g) => g.ncells(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Published totals (NASA OBPG L3 bins page; fusion.md §1.1 table).
    #[test]
    fn isin_totals() {
        assert_eq!(IsinGrid::new(2160).unwrap().ncells(), 5_940_422);
        assert_eq!(IsinGrid::new(4320).unwrap().ncells(), 23_761_676);
        assert_eq!(IsinGrid::new(17280).unwrap().ncells(), 380_187_130);
    }

    // formats.md §2.2 test vectors for 4320 rows.
    #[test]
    fn isin_4320_numbering() {
        let g = IsinGrid::new(4320).unwrap();
        assert_eq!(g.numbin()[0], 3);
        assert_eq!(g.numbin()[2160], 8640);
        assert_eq!(g.basebin()[2160], 11_880_839);
        let b = g.cell(0.01, 0.01).unwrap();
        assert_eq!(b, 11_885_159);
        let (lon, lat) = g.centre(b).unwrap();
        assert!((lon - 0.0208333).abs() < 1e-6 && (lat - 0.0208333).abs() < 1e-6);
    }

    #[test]
    fn isin_edges_and_round_trip() {
        let g = IsinGrid::new(2160).unwrap();
        assert_eq!(g.cell(179.99, 90.0), Some(g.ncells()));
        assert_eq!(g.cell(180.0, 90.0), Some(g.ncells() - 2)); // 180 E is 180 W
        assert_eq!(g.cell(-180.0, -90.0), Some(1));
        assert_eq!(g.cell(0.0, 90.5), None);
        assert_eq!(g.cell(f64::NAN, 0.0), None);
        assert_eq!(g.cell(190.0, 10.0), g.cell(-170.0, 10.0));
        for bin in [1, 2, 3, 4, 1000, 2_970_212, 5_940_422] {
            let (lon, lat) = g.centre(bin).unwrap();
            assert_eq!(g.cell(lon, lat), Some(bin));
            let (s, n, w, e) = g.bounds(bin).unwrap();
            assert!(s < lat && lat < n && w < lon && lon < e);
        }
        assert!(IsinGrid::new(2161).is_err());
    }

    #[test]
    fn regular_grid() {
        let g = RegularGrid::new(-10.0, 10.0, 40.0, 50.0, 0.5, 0.25).unwrap();
        assert_eq!((g.nlon, g.nlat), (40, 40));
        assert_eq!(g.cell(-10.0, 50.0), Some(0));
        assert_eq!(g.cell(9.99, 40.01), Some(1599));
        assert_eq!(g.cell(10.0, 45.0), None);
        assert_eq!(g.centre(0), Some((-9.75, 49.875)));
        assert!(RegularGrid::new(0.0, 1.0, 0.0, 1.0, 0.3, 0.5).is_err());
    }

    #[test]
    fn grid_spec_text_round_trips() {
        for text in ["isin:2160", "regular:-6,-2,45.5,47.5,0.05,0.025"] {
            let g = GridSpec::parse(text).unwrap();
            assert!(GridSpec::parse(&g.describe()).unwrap().same_as(&g), "{text}");
        }
        assert!(!GridSpec::parse("isin:2160").unwrap().same_as(&GridSpec::parse("isin:4320").unwrap()));
        for bad in ["isin:2161", "isin", "regular:0,1,0,1,0.5", "hex:3"] {
            assert!(GridSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
