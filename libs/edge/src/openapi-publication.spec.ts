import { OpenApiPublication } from './openapi-publication';

describe('OpenApiPublication', () => {
  it('serves what was published, serialised', () => {
    const publication = new OpenApiPublication({ version: 1 });
    expect(JSON.parse(publication.json)).toEqual({ version: 1 });
    publication.publish({ version: 2 });
    expect(JSON.parse(publication.json)).toEqual({ version: 2 });
  });

  it('makes a document published later at its first read, once, and only the last one', () => {
    const publication = new OpenApiPublication({ version: 1 });
    const replaced = jest.fn(() => ({ version: 2 }));
    const last = jest.fn(() => ({ version: 3 }));
    publication.publishLater(replaced);
    publication.publishLater(last);
    expect(last).not.toHaveBeenCalled();
    expect(JSON.parse(publication.json)).toEqual({ version: 3 });
    expect(JSON.parse(publication.json)).toEqual({ version: 3 });
    expect(last).toHaveBeenCalledTimes(1);
    expect(replaced).not.toHaveBeenCalled();
    publication.publish({ version: 4 });
    expect(JSON.parse(publication.json)).toEqual({ version: 4 });
  });

  it('tries again at the next read when making the document failed', () => {
    const publication = new OpenApiPublication({ version: 1 });
    let fail = true;
    publication.publishLater(() => {
      if (fail) throw new Error('not yet');
      return { version: 2 };
    });
    expect(() => publication.json).toThrow('not yet');
    fail = false;
    expect(JSON.parse(publication.json)).toEqual({ version: 2 });
  });
});
