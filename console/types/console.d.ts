// Types of the console's own shapes, for the type check (tsconfig.json). The gateway's JSON is
// typed by proto.d.ts, generated from the protos (proto-types.mjs).

// The municipality table build.mjs compiles in from services/common/data/municipalities_ext.csv.
declare module 'virtual:municipalities' {
  const table: {
    // code → [prefecture name, municipality name]
    municipalities: { [code: string]: [string, string] };
    // 2-digit prefecture code → name
    prefectures: { [code: string]: string };
  };
  export default table;
}

declare namespace ui {
  // What h() accepts as children: nothing (left out), text, nodes, or arrays of them.
  type Child = string | number | Node | null | undefined | false | Child[];
  // h()'s attributes: on* functions become listeners; false, null and undefined are left out.
  type Attrs = { [name: string]: unknown };
  type SvgTag = 'svg' | 'g' | 'line' | 'rect' | 'text' | 'path' | 'circle' | 'polyline' | 'title'
    | 'desc' | 'tspan';
  // The element h(tag) makes.
  type Element<K extends string> = K extends SvgTag ? SVGElementTagNameMap[K]
    : K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement;

  // A labelled control in its wrapper (forms.js input(), dateInput()).
  type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  type Field = HTMLDivElement & { control: Control; hintId: string | null; errId: string };
  type Checkbox = HTMLDivElement & {
    control: HTMLInputElement; hintId: string | null; errId: string;
  };
  type MunicipalityField = Field & { code(): string };
  // A fieldset of checkboxes or radio buttons (forms.js choices()).
  type Choices = HTMLFieldSetElement & {
    values(): string[]; value(): string; control: HTMLInputElement | undefined;
    hintId: string | null; errId: string;
  };
  type ActionForm = HTMLFormElement & { alert: HTMLDivElement };

  // A field error of the gateway (renkei.v1.HttpFieldError) or of a check made here.
  type FieldError = { field: string; description: string };
  // A request body built field by field (proto JSON names).
  type Body = { [field: string]: unknown };
  // Query parameters by proto field name (api.js queryString).
  type Query = { [name: string]: unknown };
  // [value, label] rows of words.js.
  type Table<V = string> = ReadonlyArray<readonly [V, string]>;

  // What the router gives every screen's render(main, ctx).
  interface ScreenContext {
    session: renkei.v1.ConsoleSession;
    query: URLSearchParams;
    // The route's second segment (#/intake/{id}).
    id: string;
    navigate(hash: string): void;
    announce(text: string): void;
    // False once another render started (the user moved on).
    isCurrent(): boolean;
    rerender(): Promise<void>;
  }
  interface Screen {
    render(main: HTMLElement, ctx: ScreenContext): void | Promise<void>;
  }
}
