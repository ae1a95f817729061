/*
 * video/captions.c - captions drawn straight into YUV420P planes.
 *
 * Layout: the text is split at spaces into words; each word is shaped with
 * HarfBuzz (script and direction guessed per word, so Arabic or Hebrew are
 * shaped and joined correctly) and the words are wrapped greedily within
 * the title-safe width (80 % of the frame).  A word wider than a line is
 * broken between clusters.  More than three lines shrink the font (down to
 * 60 %); what still does not fit is cut with an ellipsis.  A right-to-left
 * paragraph lays its words out from the right.
 *
 * Raster: the caption is rasterised once with FreeType into an A8 fill
 * mask; a dilated copy makes the outline and an offset copy the shadow.
 * Both are merged into one "dark" mask, plus a half-resolution chroma mask,
 * so each frame costs one pass over the caption's box (a fraction of a
 * millisecond): Y blends towards white (fill) or black (outline, shadow),
 * U and V towards neutral.  The masks are the per-caption glyph cache: a
 * caption is rasterised only when the text changes.
 *
 * Not thread-safe: one captioner per pipeline (FreeType faces are not shared).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>

#include "core/util.h"
#include "oscontent/error.h"
#include "video/video_internal.h"

#define MAX_LINES 3

struct osc__captioner {
  FT_Library lib;
  FT_Face face;
  hb_font_t *font;
  int W, H;
  int base_px, min_px;
  char *text;           /* current caption */
  uint8_t *dark, *fill; /* mask_w x mask_h */
  uint8_t *chroma;      /* (mask_w/2) x (mask_h/2) */
  int mx, my, mw, mh;   /* mask position (even) and size (even) */
  osc__caption_box box;
};

typedef struct glyph {
  uint32_t gid;
  int x, y; /* pen position in px relative to the piece start, y offset up */
} glyph;

typedef struct piece { /* a word or part of one on a line */
  glyph *g;
  int ng;
  int w;
  bool rtl;
} piece;

typedef struct line {
  piece *p;
  int np;
  int w;
} line;

typedef struct layout {
  line lines[MAX_LINES];
  int nlines;
  bool truncated;
  bool rtl;
  int space_w;
} layout;

static void layout_free(layout *L) {
  for (int i = 0; i < L->nlines; i++) {
    for (int k = 0; k < L->lines[i].np; k++) free(L->lines[i].p[k].g);
    free(L->lines[i].p);
  }
  memset(L, 0, sizeof *L);
}

int osc__video_captioner_open(const char *font_path, int width, int height, osc__captioner **out) {
  osc__captioner *c = calloc(1, sizeof *c);
  if (!c) return osc_seterr(OSC_ENOMEM, "captions: out of memory");
  if (FT_Init_FreeType(&c->lib)) {
    free(c);
    return osc_seterr(OSC_EINTERNAL, "captions: FreeType failed to start");
  }
  int e = FT_New_Face(c->lib, font_path, 0, &c->face);
  if (e) {
    FT_Done_FreeType(c->lib);
    free(c);
    return osc_seterr(e == FT_Err_Cannot_Open_Resource ? OSC_ENOENT : OSC_EIO,
                      "font_path: cannot load font '%s' (FreeType error %d; install fonts-dejavu-core)", font_path, e);
  }
  c->W = width;
  c->H = height;
  c->base_px = height / 16 > 10 ? height / 16 : 10;
  if (c->base_px > width / 18 && width / 18 >= 10) c->base_px = width / 18; /* portrait frames */
  c->min_px = c->base_px * 6 / 10 > 8 ? c->base_px * 6 / 10 : 8;
  FT_Set_Pixel_Sizes(c->face, 0, (FT_UInt)c->base_px);
  c->font = hb_ft_font_create_referenced(c->face);
  if (!c->font) {
    osc__video_captioner_close(c);
    return osc_seterr(OSC_ENOMEM, "captions: out of memory");
  }
  *out = c;
  return OSC_OK;
}

static void clear_caption(osc__captioner *c) {
  free(c->text);
  free(c->dark);
  free(c->fill);
  free(c->chroma);
  c->text = NULL;
  c->dark = c->fill = c->chroma = NULL;
  c->mw = c->mh = 0;
  memset(&c->box, 0, sizeof c->box);
}

void osc__video_captioner_close(osc__captioner *c) {
  if (!c) return;
  clear_caption(c);
  if (c->font) hb_font_destroy(c->font);
  if (c->face) FT_Done_Face(c->face);
  if (c->lib) FT_Done_FreeType(c->lib);
  free(c);
}

/* Shapes one word into a piece. */
static int shape(osc__captioner *c, const char *s, int len, piece *out) {
  memset(out, 0, sizeof *out);
  hb_buffer_t *b = hb_buffer_create();
  hb_buffer_add_utf8(b, s, len, 0, len);
  hb_buffer_guess_segment_properties(b);
  hb_shape(c->font, b, NULL, 0);
  unsigned n = 0;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(b, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(b, NULL);
  out->rtl = hb_buffer_get_direction(b) == HB_DIRECTION_RTL;
  out->g = malloc((n ? n : 1) * sizeof *out->g);
  if (!out->g) {
    hb_buffer_destroy(b);
    return OSC_ENOMEM;
  }
  int pen = 0;
  for (unsigned i = 0; i < n; i++) {
    out->g[i].gid = info[i].codepoint;
    out->g[i].x = (pen + pos[i].x_offset) / 64;
    out->g[i].y = pos[i].y_offset / 64;
    pen += pos[i].x_advance;
  }
  out->ng = (int)n;
  out->w = (pen + 63) / 64;
  hb_buffer_destroy(b);
  return OSC_OK;
}

/* Splits a piece wider than max_w into parts that fit (at glyph boundaries). */
static int break_piece(piece *p, int max_w, piece **parts, int *nparts) {
  int cap = 4, n = 0;
  piece *v = malloc((size_t)cap * sizeof *v);
  if (!v) return OSC_ENOMEM;
  int i = 0;
  while (i < p->ng) {
    int start = i, x0 = p->g[i].x;
    i++;
    while (i < p->ng && p->g[i].x - x0 < max_w - (i + 1 < p->ng ? p->g[i + 1].x - p->g[i].x : 0)) i++;
    int end_x = i < p->ng ? p->g[i].x : p->w;
    if (n == cap) {
      cap *= 2;
      piece *nv = realloc(v, (size_t)cap * sizeof *v);
      if (!nv) goto oom;
      v = nv;
    }
    piece *q = &v[n];
    q->ng = i - start;
    q->rtl = p->rtl;
    q->w = end_x - x0;
    q->g = malloc((size_t)q->ng * sizeof *q->g);
    if (!q->g) goto oom;
    for (int k = 0; k < q->ng; k++) {
      q->g[k] = p->g[start + k];
      q->g[k].x -= x0;
    }
    n++;
  }
  *parts = v;
  *nparts = n;
  return OSC_OK;
oom:
  for (int k = 0; k < n; k++) free(v[k].g);
  free(v);
  return OSC_ENOMEM;
}

static int line_add(line *l, piece *p, int space_w) {
  piece *np = realloc(l->p, (size_t)(l->np + 1) * sizeof *np);
  if (!np) return OSC_ENOMEM;
  l->p = np;
  l->w += (l->np ? space_w : 0) + p->w;
  l->p[l->np++] = *p;
  memset(p, 0, sizeof *p);
  return OSC_OK;
}

/* Lays out text at the current size.  *overflow is set when more than MAX_LINES lines were needed. */
static int layout_text(osc__captioner *c, const char *text, int max_w, layout *L, bool *overflow) {
  memset(L, 0, sizeof *L);
  *overflow = false;
  piece sp;
  if (shape(c, " ", 1, &sp)) return OSC_ENOMEM;
  L->space_w = sp.w > 0 ? sp.w : c->base_px / 4;
  free(sp.g);
  bool dir_set = false;
  const char *p = text;
  int cur = 0;
  while (*p) {
    while (*p == ' ') p++;
    if (!*p) break;
    const char *e = p;
    while (*e && *e != ' ') e++;
    piece w;
    if (shape(c, p, (int)(e - p), &w)) return OSC_ENOMEM;
    p = e;
    if (w.ng == 0) {
      free(w.g);
      continue;
    }
    if (!dir_set) {
      L->rtl = w.rtl;
      dir_set = true;
    }
    piece *parts = &w;
    int nparts = 1;
    bool broken = false;
    if (w.w > max_w) {
      if (break_piece(&w, max_w, &parts, &nparts)) {
        free(w.g);
        return OSC_ENOMEM;
      }
      free(w.g);
      broken = true;
    }
    for (int k = 0; k < nparts; k++) {
      piece *q = &parts[k];
      if (L->nlines == 0) L->nlines = 1;
      line *l = &L->lines[cur];
      if (l->np && l->w + L->space_w + q->w > max_w) {
        if (cur + 1 >= MAX_LINES) {
          *overflow = true;
          L->truncated = true;
          for (int j = k; j < nparts; j++) free(parts[j].g);
          if (broken) free(parts);
          return OSC_OK;
        }
        cur++;
        L->nlines = cur + 1;
        l = &L->lines[cur];
      }
      if (line_add(l, q, L->space_w)) {
        for (int j = k; j < nparts; j++) free(parts[j].g);
        if (broken) free(parts);
        return OSC_ENOMEM;
      }
    }
    if (broken) free(parts);
  }
  return OSC_OK;
}

static void blit_glyph(osc__captioner *c, uint8_t *mask, int mw, int mh, uint32_t gid, int x, int baseline) {
  if (FT_Load_Glyph(c->face, gid, FT_LOAD_DEFAULT) || FT_Render_Glyph(c->face->glyph, FT_RENDER_MODE_NORMAL)) return;
  FT_GlyphSlot g = c->face->glyph;
  FT_Bitmap *bm = &g->bitmap;
  if (bm->pixel_mode != FT_PIXEL_MODE_GRAY) return;
  int x0 = x + g->bitmap_left, y0 = baseline - g->bitmap_top;
  for (unsigned r = 0; r < bm->rows; r++) {
    int yy = y0 + (int)r;
    if (yy < 0 || yy >= mh) continue;
    const uint8_t *src = bm->buffer + (ptrdiff_t)r * bm->pitch;
    uint8_t *dst = mask + (size_t)yy * (size_t)mw;
    for (unsigned col = 0; col < bm->width; col++) {
      int xx = x0 + (int)col;
      if (xx < 0 || xx >= mw) continue;
      if (src[col] > dst[xx]) dst[xx] = src[col];
    }
  }
}

/* Separable max filter of radius r (square dilation). */
static int dilate(const uint8_t *in, uint8_t *out, int w, int h, int r) {
  uint8_t *tmp = malloc((size_t)w * (size_t)h);
  if (!tmp) return OSC_ENOMEM;
  for (int y = 0; y < h; y++) {
    const uint8_t *s = in + (size_t)y * w;
    uint8_t *d = tmp + (size_t)y * w;
    for (int x = 0; x < w; x++) {
      uint8_t m = 0;
      for (int k = x - r < 0 ? 0 : x - r; k <= x + r && k < w; k++) m = s[k] > m ? s[k] : m;
      d[x] = m;
    }
  }
  for (int y = 0; y < h; y++) {
    uint8_t *d = out + (size_t)y * w;
    for (int x = 0; x < w; x++) {
      uint8_t m = 0;
      for (int k = y - r < 0 ? 0 : y - r; k <= y + r && k < h; k++) {
        uint8_t v = tmp[(size_t)k * w + x];
        m = v > m ? v : m;
      }
      d[x] = m;
    }
  }
  free(tmp);
  return OSC_OK;
}

int osc__video_captioner_set(osc__captioner *c, const char *text, osc__caption_box *box) {
  if (c->text && !strcmp(c->text, text)) {
    if (box) *box = c->box;
    return OSC_OK;
  }
  clear_caption(c);
  c->text = osc_strdup(text);
  if (!c->text) return osc_seterr(OSC_ENOMEM, "captions: out of memory");
  const int max_w = c->W * 8 / 10;
  layout L;
  bool overflow = false;
  int px = c->base_px;
  for (;;) {
    FT_Set_Pixel_Sizes(c->face, 0, (FT_UInt)px);
    hb_ft_font_changed(c->font);
    if (layout_text(c, text, max_w, &L, &overflow)) {
      layout_free(&L);
      return osc_seterr(OSC_ENOMEM, "captions: out of memory");
    }
    if (!overflow || px <= c->min_px) break;
    layout_free(&L);
    px = px * 9 / 10 < c->min_px ? c->min_px : px * 9 / 10;
  }
  int rc = OSC_OK;
  if (L.nlines == 0) goto done; /* nothing visible */
  const int line_h = (int)((c->face->size->metrics.height + 63) >> 6);
  const int asc = (int)((c->face->size->metrics.ascender + 63) >> 6);
  const int r = px / 14 > 1 ? px / 14 : 1;  /* outline radius */
  const int sh = px / 18 > 1 ? px / 18 : 1; /* shadow offset */
  const int pad = r + sh + 2;
  int widest = 0;
  for (int i = 0; i < L.nlines; i++) widest = L.lines[i].w > widest ? L.lines[i].w : widest;
  int ell_w = 0;
  piece ell = {0};
  if (L.truncated) {
    if (shape(c, "\xe2\x80\xa6", 3, &ell)) goto oom;
    ell_w = ell.w;
    line *last = &L.lines[L.nlines - 1];
    while (last->np > 1 && last->w + ell_w > max_w) { /* make room for the ellipsis */
      piece *q = &last->p[--last->np];
      last->w -= q->w + L.space_w;
      free(q->g);
    }
    widest = 0;
    for (int i = 0; i < L.nlines; i++) {
      int lw = L.lines[i].w + (i == L.nlines - 1 ? ell_w : 0);
      widest = lw > widest ? lw : widest;
    }
  }
  int mw = (widest + 2 * pad + 1) & ~1, mh = (L.nlines * line_h + 2 * pad + 1) & ~1;
  if (mw > c->W) mw = c->W & ~1;
  if (mh > c->H) mh = c->H & ~1;
  c->fill = calloc((size_t)mw * mh, 1);
  c->dark = calloc((size_t)mw * mh, 1);
  uint8_t *outline = calloc((size_t)mw * mh, 1);
  c->chroma = calloc((size_t)(mw / 2) * (mh / 2) + 1, 1);
  if (!c->fill || !c->dark || !outline || !c->chroma) {
    free(outline);
    free(ell.g);
    goto oom;
  }
  for (int i = 0; i < L.nlines; i++) {
    line *l = &L.lines[i];
    int lw = l->w + (L.truncated && i == L.nlines - 1 ? ell_w : 0);
    int x = (mw - lw) / 2;
    int baseline = pad + i * line_h + asc;
    for (int k = 0; k < l->np; k++) {
      piece *q = &l->p[L.rtl ? l->np - 1 - k : k];
      for (int g = 0; g < q->ng; g++) blit_glyph(c, c->fill, mw, mh, q->g[g].gid, x + q->g[g].x, baseline - q->g[g].y);
      x += q->w + L.space_w;
    }
    if (L.truncated && i == L.nlines - 1)
      for (int g = 0; g < ell.ng; g++) blit_glyph(c, c->fill, mw, mh, ell.g[g].gid, x - L.space_w + ell.g[g].x, baseline);
  }
  free(ell.g);
  if (dilate(c->fill, outline, mw, mh, r)) {
    free(outline);
    goto oom;
  }
  for (int y = 0; y < mh; y++) {
    for (int x = 0; x < mw; x++) {
      int o = outline[(size_t)y * mw + x];
      int s = (x >= sh && y >= sh) ? outline[(size_t)(y - sh) * mw + (x - sh)] / 2 : 0;
      c->dark[(size_t)y * mw + x] = (uint8_t)(o > s ? o : s);
    }
  }
  free(outline);
  for (int y = 0; y + 1 < mh; y += 2) {
    for (int x = 0; x + 1 < mw; x += 2) {
      int m = 0;
      for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
          size_t i = (size_t)(y + dy) * mw + x + dx;
          int v = c->dark[i] > c->fill[i] ? c->dark[i] : c->fill[i];
          m = v > m ? v : m;
        }
      c->chroma[(size_t)(y / 2) * (mw / 2) + x / 2] = (uint8_t)m;
    }
  }
  c->mw = mw;
  c->mh = mh;
  c->mx = ((c->W - mw) / 2) & ~1;
  int bottom = c->H - c->H * 8 / 100;
  c->my = (bottom - mh) & ~1;
  if (c->my < 0) c->my = 0;
  c->box.x = c->mx;
  c->box.y = c->my;
  c->box.w = mw;
  c->box.h = mh;
  c->box.lines = L.nlines;
  c->box.font_px = px;
  c->box.max_line_w = widest;
done:
  layout_free(&L);
  if (box) *box = c->box;
  return rc;
oom:
  layout_free(&L);
  clear_caption(c);
  return osc_seterr(OSC_ENOMEM, "captions: out of memory");
}

void osc__video_captioner_draw(osc__captioner *c, double opacity, uint8_t *y, int ys, uint8_t *u, int us, uint8_t *v,
                               int vs) {
  if (!c->mw || opacity <= 0) return;
  const int op = (int)lround((opacity > 1 ? 1 : opacity) * 256);
  for (int r = 0; r < c->mh; r++) {
    const uint8_t *dk = c->dark + (size_t)r * c->mw;
    const uint8_t *fl = c->fill + (size_t)r * c->mw;
    uint8_t *py = y + (size_t)(c->my + r) * ys + c->mx;
    for (int x = 0; x < c->mw; x++) {
      int d = dk[x], f = fl[x];
      if (!(d | f)) continue;
      int a = d * op >> 8, b = f * op >> 8;
      int val = py[x];
      val += ((16 - val) * a) / 255;
      val += ((235 - val) * b) / 255;
      py[x] = (uint8_t)val;
    }
  }
  const int cw = c->mw / 2, ch = c->mh / 2;
  for (int r = 0; r < ch; r++) {
    const uint8_t *m = c->chroma + (size_t)r * cw;
    uint8_t *pu = u + (size_t)(c->my / 2 + r) * us + c->mx / 2;
    uint8_t *pv = v + (size_t)(c->my / 2 + r) * vs + c->mx / 2;
    for (int x = 0; x < cw; x++) {
      if (!m[x]) continue;
      int a = m[x] * op >> 8;
      pu[x] = (uint8_t)(pu[x] + ((128 - pu[x]) * a) / 255);
      pv[x] = (uint8_t)(pv[x] + ((128 - pv[x]) * a) / 255);
    }
  }
}

int osc__video_captions_frame(osc__captioner *c, const osc__vcaption *caps, size_t ncaps, double t, uint8_t *y,
                              int ys, uint8_t *u, int us, uint8_t *v, int vs) {
  for (size_t i = 0; i < ncaps; i++) {
    if (t < caps[i].start_s || t >= caps[i].end_s) continue;
    int rc = osc__video_captioner_set(c, caps[i].text, NULL);
    if (rc) return rc;
    const double fade = 0.2;
    double op = fmin(1.0, (t - caps[i].start_s) / fade);
    /* Fade out only at the very end or where the next caption does not follow at once. */
    bool next_follows = i + 1 < ncaps && caps[i + 1].start_s <= caps[i].end_s + 1e-9;
    if (!next_follows) op = fmin(op, (caps[i].end_s - t) / fade);
    if (i == 0 && caps[i].start_s <= 0.0) op = 1.0; /* visible on the first (poster) frame */
    osc__video_captioner_draw(c, op, y, ys, u, us, v, vs);
    return OSC_OK;
  }
  return OSC_OK;
}
