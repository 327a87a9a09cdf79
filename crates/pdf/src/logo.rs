//! The provider's logo: PNG or JPEG bytes, decoded once per render and placed top left.

use image::imageops::FilterType;
use image::DynamicImage;
use printpdf::RawImage;

use crate::PdfError;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = b"\xff\xd8\xff";

/// The most pixels a logo keeps: four times the largest box it is printed in (170 × 52 pt),
/// about 290 dpi. A larger upload is downsized, so it does not weigh on every invoice.
const MAX_PIXELS: (u32, u32) = (680, 208);

pub struct Logo {
    pub image: RawImage,
}

impl Logo {
    /// Decodes the logo; anything but a readable PNG or JPEG is refused, not left out.
    pub fn decode(bytes: &[u8]) -> Result<Logo, PdfError> {
        if !bytes.starts_with(PNG_SIGNATURE) && !bytes.starts_with(JPEG_SIGNATURE) {
            return Err(PdfError::BadLogo("neither a PNG nor a JPEG file".into()));
        }
        let decoded =
            image::load_from_memory(bytes).map_err(|error| PdfError::BadLogo(error.to_string()))?;
        if decoded.width() == 0 || decoded.height() == 0 {
            return Err(PdfError::BadLogo("the image is empty".into()));
        }
        let image = RawImage::from_dynamic_image(downsized(decoded)).map_err(PdfError::BadLogo)?;
        Ok(Logo { image })
    }

    pub fn pixels(&self) -> (usize, usize) {
        (self.image.width, self.image.height)
    }

    /// The largest size (points) with the image's proportions that fits in `bounds`.
    pub fn fit(&self, bounds: (f32, f32)) -> (f32, f32) {
        let (width, height) = self.pixels();
        // Pixel counts fit an f32 exactly far beyond any logo.
        #[allow(clippy::cast_precision_loss)]
        let (width, height) = (width as f32, height as f32);
        let scale = (bounds.0 / width).min(bounds.1 / height);
        (width * scale, height * scale)
    }
}

fn downsized(image: DynamicImage) -> DynamicImage {
    let (max_width, max_height) = MAX_PIXELS;
    if image.width() <= max_width && image.height() <= max_height {
        return image;
    }
    // Keeps the proportions; Lanczos keeps small lettering in a logo crisp.
    image.resize(max_width, max_height, FilterType::Lanczos3)
}
